package io.weft.peer;

import io.weft.api.CorruptDataException;
import io.weft.api.StorageException;
import io.weft.api.WeftException;
import io.weft.api.crypto.PrivateKey;
import io.weft.api.crypto.PublicKey;
import io.weft.api.thread.PeerId;
import io.weft.core.crypto.Ed25519;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * The peer's host identity: an Ed25519 key pair persisted as the libp2p-marshaled private key protobuf
 * ({@code 08 01 12 40 || seed(32) || pub(32)}, 68 bytes). Created on first use with owner-only permissions
 * (0600 where the file system is POSIX), reused afterwards. A file of the wrong size or content is reported
 * as {@link CorruptDataException} naming the file, never its bytes, and is left untouched.
 */
public final class IdentityFile {

    /** Size of a marshaled Ed25519 private key: 4 header bytes, 32 seed bytes, 32 public key bytes. */
    public static final int MARSHALED_LENGTH = 68;
    private static final byte[] HEADER = {0x08, 0x01, 0x12, 0x40};
    private static final Set<PosixFilePermission> OWNER_ONLY =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private final PrivateKey privateKey;
    private final PeerId peerId;
    private final boolean created;

    private IdentityFile(PrivateKey privateKey, boolean created) {
        this.privateKey = privateKey;
        this.peerId = PeerId.of(privateKey.publicKey());
        this.created = created;
    }

    /** Loads the identity in {@code file}, or generates one and writes it there if the file does not exist. */
    public static IdentityFile loadOrCreate(Path file) {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return load(file);
        }
        PrivateKey key = Ed25519.generate();
        byte[] bytes = key.marshal();
        try {
            if (!persist(file, bytes)) {
                return load(file); // another process created it first: use theirs
            }
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
        return new IdentityFile(key, true);
    }

    /** Loads an existing identity file. */
    public static IdentityFile load(Path file) {
        byte[] bytes = null;
        try {
            long size;
            try {
                size = Files.size(file);
            } catch (NoSuchFileException e) {
                throw new StorageException("identity file " + file + " does not exist", e);
            }
            if (!Files.isRegularFile(file)) {
                throw new CorruptDataException("identity file " + file + " is not a regular file");
            }
            if (size != MARSHALED_LENGTH) {
                throw new CorruptDataException("identity file " + file + " is corrupt: expected " + MARSHALED_LENGTH
                        + " bytes (a libp2p-marshaled Ed25519 private key), found " + size);
            }
            bytes = Files.readAllBytes(file);
            if (bytes.length != MARSHALED_LENGTH) {
                throw new CorruptDataException("identity file " + file + " is corrupt: expected " + MARSHALED_LENGTH
                        + " bytes, read " + bytes.length);
            }
            if (!Arrays.equals(bytes, 0, HEADER.length, HEADER, 0, HEADER.length)) {
                throw new CorruptDataException("identity file " + file
                        + " is corrupt: not a libp2p-marshaled Ed25519 private key (bad protobuf header)");
            }
            PrivateKey key;
            try {
                key = Ed25519.unmarshal(bytes); // also checks that the public half is the one the seed derives
            } catch (WeftException | IllegalArgumentException e) {
                // the decoder's messages never include key bytes
                throw new CorruptDataException("identity file " + file + " is corrupt: " + e.getMessage(), e);
            }
            return new IdentityFile(key, false);
        } catch (IOException e) {
            throw new StorageException("cannot read identity file " + file + ": " + e, e);
        } finally {
            if (bytes != null) {
                Arrays.fill(bytes, (byte) 0);
            }
        }
    }

    /**
     * Writes {@code bytes} to {@code file} atomically (temp file in the same directory, fsync, rename) with
     * owner-only permissions. Returns false if {@code file} appeared meanwhile (it is then not replaced).
     */
    private static boolean persist(Path file, byte[] bytes) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            boolean posix = Files.getFileStore(dir).supportsFileAttributeView("posix");
            FileAttribute<?>[] attrs = posix
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                    : new FileAttribute<?>[0];
            tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp", attrs);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            if (posix) {
                Files.setPosixFilePermissions(tmp, OWNER_ONLY); // in case a umask interfered
            }
            if (!publish(tmp, file)) {
                return false;
            }
            syncDirectory(dir);
            return true;
        } catch (IOException e) {
            throw new StorageException("cannot write identity file " + file + ": " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    /**
     * Makes the complete temp file visible under its final name without ever replacing an existing file: a hard
     * link fails if the name exists (so two processes creating an identity at once agree on one); where hard links
     * are not supported, an atomic rename after an existence check.
     */
    private static boolean publish(Path tmp, Path file) throws IOException {
        try {
            Files.createLink(file, tmp);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (UnsupportedOperationException | IOException e) {
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e2) {
                Files.move(tmp, file);
            }
            return true;
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not supported on every platform; the rename is still atomic
        }
    }

    /** Whether {@code file} can be read by others than its owner (POSIX file systems only). */
    public static boolean isReadableByOthers(Path file) {
        try {
            if (!Files.getFileStore(file).supportsFileAttributeView("posix")) {
                return false;
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            return perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** The peer id, base58btc text {@code 12D3KooW…} via {@code toString()}. */
    public PeerId peerId() {
        return peerId;
    }

    public PublicKey publicKey() {
        return privateKey.publicKey();
    }

    /** The private key. Never log it. */
    public PrivateKey privateKey() {
        return privateKey;
    }

    /** Whether this identity was generated by this call rather than loaded. */
    public boolean created() {
        return created;
    }

    @Override
    public String toString() {
        return "IdentityFile[" + peerId + "]";
    }
}
