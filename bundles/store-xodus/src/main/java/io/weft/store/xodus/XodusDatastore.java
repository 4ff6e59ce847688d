package io.weft.store.xodus;

import io.weft.api.InvalidInputException;
import io.weft.api.StorageException;
import io.weft.api.store.Datastore;
import io.weft.api.store.ReadTxn;
import io.weft.api.store.WriteTxn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import jetbrains.exodus.env.Environment;
import jetbrains.exodus.env.EnvironmentConfig;
import jetbrains.exodus.env.Environments;
import jetbrains.exodus.env.Store;
import jetbrains.exodus.env.StoreConfig;
import jetbrains.exodus.env.Transaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded, durable {@link Datastore}: one JetBrains Xodus environment in a directory, holding all keys in
 * a single store named {@value #STORE_NAME} ({@code WITHOUT_DUPLICATES}, so keys are ordered as unsigned bytes,
 * which is what the SPI requires).
 *
 * <ul>
 *   <li>Read transactions are Xodus read-only transactions: immutable snapshots (Xodus is an append-only
 *       log with copy-on-write trees), never blocked by writers.</li>
 *   <li>Write transactions are Xodus <em>exclusive</em> transactions, so a commit never fails on a conflict.
 *       They are serialized here by a fair {@link Semaphore} held from {@link #beginWrite()} until commit or
 *       close; unlike a lock, any thread may release it, and Xodus is configured to allow writes and commit
 *       from a thread other than the one that began the transaction ({@code env.txn.singleThreadWrites=false};
 *       its permit bookkeeping follows the creating thread, which is released on commit from any thread).</li>
 *   <li>Every Xodus failure surfaces as {@link StorageException}.</li>
 * </ul>
 * Settings are plain values ({@link XodusOptions}); {@link XodusDatastoreComponent} is the OSGi adapter and
 * {@link XodusDatastoreProvider} the {@link java.util.ServiceLoader} entry point.
 */
public final class XodusDatastore implements Datastore {

    /** The engine name, as in the {@code weft.store} service property. */
    public static final String ENGINE = "xodus";
    /** The name of the one Xodus store that holds every key. */
    public static final String STORE_NAME = "weft";

    private static final Logger LOG = LoggerFactory.getLogger(XodusDatastore.class);

    private final Path directory;
    private final Environment env;
    private final Store store;
    private final Semaphore writePermit = new Semaphore(1, true);
    private final Set<XodusReadTxn> open = ConcurrentHashMap.newKeySet();
    private final Object closeLock = new Object();
    private volatile Thread writerThread;
    private volatile boolean closed;

    /**
     * Opens (creating if needed) the store in {@code directory}.
     *
     * @throws InvalidInputException if an argument is {@code null}
     * @throws StorageException      if the directory cannot be created or Xodus cannot open it (for example
     *                               because another process has it open)
     */
    public XodusDatastore(Path directory, XodusOptions options) {
        if (directory == null) {
            throw new InvalidInputException("directory must not be null");
        }
        if (options == null) {
            throw new InvalidInputException("options must not be null");
        }
        this.directory = directory.toAbsolutePath();
        try {
            Files.createDirectories(this.directory);
        } catch (IOException e) {
            throw new StorageException("cannot create the store directory " + this.directory, e);
        }
        EnvironmentConfig config = new EnvironmentConfig()
                .setLogDurableWrite(options.fsync())
                .setGcEnabled(options.gcEnabled())
                .setMemoryUsagePercentage(options.cacheMemoryPercent())
                .setTreeMaxPageSize(options.treePageSize())
                .setEnvTxnSingleThreadWrites(false);
        this.env = newEnvironment(this.directory, config);
        try {
            this.store = env.computeInExclusiveTransaction(
                    txn -> env.openStore(STORE_NAME, StoreConfig.WITHOUT_DUPLICATES, txn));
        } catch (RuntimeException e) {
            closeQuietly(env);
            throw new StorageException("cannot open the Xodus store in " + this.directory, e);
        }
        LOG.info("Opened Xodus store in {} (fsync={}, gcEnabled={}, cacheMemoryPercent={}, treePageSize={})", this.directory,
                options.fsync(), options.gcEnabled(), options.cacheMemoryPercent(), options.treePageSize());
    }

    /**
     * Xodus finds its file I/O provider with {@link java.util.ServiceLoader} on the thread context class loader;
     * outside OSGi that loader may see another copy of Xodus (test class paths, Pax Exam), so set it to the
     * loader that holds this Xodus while the environment is created. Harmless inside OSGi. On the module path
     * this bundle is the module {@code io.weft.store.xodus}, which embeds Xodus, so it must declare that it uses
     * Xodus' provider service; bnd cannot generate that {@code uses} for an embedded package, so it is added
     * here (a no-op outside a named module).
     */
    private static Environment newEnvironment(Path dir, EnvironmentConfig config) {
        XodusDatastore.class.getModule().addUses(jetbrains.exodus.io.DataReaderWriterProvider.class);
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(Environments.class.getClassLoader());
        try {
            return Environments.newInstance(dir.toFile(), config);
        } catch (RuntimeException e) {
            throw new StorageException("cannot open the Xodus environment in " + dir, e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** The directory that holds the store's files. */
    public Path directory() {
        return directory;
    }

    @Override
    public String engine() {
        return ENGINE;
    }

    @Override
    public ReadTxn beginRead() {
        ensureOpen();
        Transaction txn;
        try {
            txn = env.beginReadonlyTransaction();
        } catch (RuntimeException e) {
            throw failure("cannot begin a read transaction", e);
        }
        return register(new XodusReadTxn(this, txn));
    }

    @Override
    public WriteTxn beginWrite() {
        ensureOpen();
        if (writerThread == Thread.currentThread()) {
            throw new StorageException("this thread already has an open write transaction; it must be closed first");
        }
        try {
            writePermit.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for the write transaction", e);
        }
        Transaction txn;
        try {
            ensureOpen();
            txn = env.beginExclusiveTransaction();
        } catch (RuntimeException e) {
            writePermit.release();
            throw failure("cannot begin a write transaction", e);
        }
        writerThread = Thread.currentThread();
        return register(new XodusWriteTxn(this, txn));
    }

    /**
     * Closes the environment. Transactions still open are aborted (and logged as a caller bug) first, because
     * Xodus refuses to close with open transactions.
     */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (XodusReadTxn txn : open) {
            LOG.warn("Closing the Xodus store in {} with an open {} transaction: aborting it", directory,
                    txn instanceof XodusWriteTxn ? "write" : "read");
            txn.abandon();
        }
        try {
            env.close();
            LOG.info("Closed Xodus store in {}", directory);
        } catch (RuntimeException e) {
            throw new StorageException("closing the Xodus store in " + directory + " failed", e);
        }
    }

    // ---- used by the transactions ----

    Store store() {
        return store;
    }

    void ensureOpen() {
        if (closed) {
            throw new StorageException("the xodus store is closed");
        }
    }

    private <T extends XodusReadTxn> T register(T txn) {
        open.add(txn);
        return txn;
    }

    void unregister(XodusReadTxn txn) {
        open.remove(txn);
    }

    /** Releases the write permit; called exactly once per write transaction. */
    void endWrite() {
        writerThread = null;
        writePermit.release();
    }

    /** Wraps a Xodus failure; an exception that is already a Weft one passes through. */
    static RuntimeException failure(String what, RuntimeException e) {
        if (e instanceof io.weft.api.WeftException) {
            return e;
        }
        return new StorageException(what + ": " + e.getClass().getSimpleName(), e);
    }

    private static void closeQuietly(Environment env) {
        try {
            env.close();
        } catch (RuntimeException e) {
            LOG.debug("closing a half-opened Xodus environment failed", e);
        }
    }
}
