package io.weft.logstore;

import io.weft.api.crypto.PrivateKey;
import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Cid;
import io.weft.api.log.AppendHook;
import io.weft.api.log.AppendListener;
import io.weft.api.log.AppendResult;
import io.weft.api.net.Registration;
import io.weft.api.log.LogInfo;
import io.weft.api.log.LogService;
import io.weft.api.log.Logstore;
import io.weft.api.log.ThreadInfo;
import io.weft.api.record.Payload;
import io.weft.api.record.Record;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.store.Datastore;
import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import io.weft.api.thread.ThreadKey;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Registers a {@link LocalLogService} over the configured {@link Datastore} as the {@link LogService} service
 * (configuration PID {@code io.weft.logstore}, see {@link LogstoreConfig}). A thin adapter: all logic is in
 * {@link LocalLogService}.
 */
@Component(service = LogService.class, configurationPid = LogstoreConfig.PID)
public final class LogServiceComponent implements LogService {
    private final LocalLogService delegate;

    @Activate
    public LogServiceComponent(@Reference(name = "datastore", target = LogstoreConfig.DEFAULT_DATASTORE_TARGET) Datastore store) {
        this.delegate = new LocalLogService(store);
    }

    @Override
    public Logstore logstore() {
        return delegate.logstore();
    }

    @Override
    public ThreadInfo createThread(ThreadId id, ThreadKey key) {
        return delegate.createThread(id, key);
    }

    @Override
    public ThreadInfo addThread(ThreadId id, ThreadKey key) {
        return delegate.addThread(id, key);
    }

    @Override
    public ThreadInfo getThread(ThreadId id) {
        return delegate.getThread(id);
    }

    @Override
    public List<ThreadInfo> listThreads() {
        return delegate.listThreads();
    }

    @Override
    public boolean deleteThread(ThreadId id) {
        return delegate.deleteThread(id);
    }

    @Override
    public LogInfo getOrCreateOwnLog(ThreadId thread, PrivateKey identity) {
        return delegate.getOrCreateOwnLog(thread, identity);
    }

    @Override
    public LogInfo getOrCreateOwnLog(ThreadId thread, PublicKey author) {
        return delegate.getOrCreateOwnLog(thread, author);
    }

    @Override
    public Optional<LogInfo> ownLog(ThreadId thread, PublicKey identity) {
        return delegate.ownLog(thread, identity);
    }

    @Override
    public AppendResult createRecord(ThreadId thread, PrivateKey identity, byte[] bodyNode) {
        return delegate.createRecord(thread, identity, bodyNode);
    }

    @Override
    public AppendResult addRecord(ThreadId thread, LogId log, RecordEnvelope envelope) {
        return delegate.addRecord(thread, log, envelope);
    }

    @Override
    public AppendResult createRecord(ThreadId thread, PrivateKey identity, byte[] bodyNode, AppendHook sameTransaction) {
        return delegate.createRecord(thread, identity, bodyNode, sameTransaction);
    }

    @Override
    public AppendResult createRecord(ThreadId thread, PublicKey author, byte[] bodyNode, AppendHook sameTransaction) {
        return delegate.createRecord(thread, author, bodyNode, sameTransaction);
    }

    @Override
    public AppendResult addRecord(ThreadId thread, LogId log, RecordEnvelope envelope, AppendHook sameTransaction) {
        return delegate.addRecord(thread, log, envelope, sameTransaction);
    }

    @Override
    public RecordEnvelope getRecord(ThreadId thread, Cid id) {
        return delegate.getRecord(thread, id);
    }

    @Override
    public List<RecordEnvelope> records(ThreadId thread, LogId log, Cid after, int limit) {
        return delegate.records(thread, log, after, limit);
    }

    @Override
    public Payload openRecord(ThreadId thread, Record record) {
        return delegate.openRecord(thread, record);
    }

    @Override
    public Payload openRecord(ThreadId thread, Cid id) {
        return delegate.openRecord(thread, id);
    }

    @Override
    public List<AppendResult> addRecords(ThreadId thread, LogId log, List<RecordEnvelope> envelopes) {
        return delegate.addRecords(thread, log, envelopes);
    }

    @Override
    public Registration addAppendListener(AppendListener listener) {
        return delegate.addAppendListener(listener);
    }
}
