package io.weft.benchmarks;

import io.weft.api.crypto.PrivateKey;
import io.weft.api.format.Cid;
import io.weft.api.record.Payload;
import io.weft.api.record.Record;
import io.weft.api.record.RecordEnvelope;
import io.weft.api.thread.ThreadKey;
import io.weft.core.cbor.CborValue;
import io.weft.core.crypto.Ed25519;
import io.weft.core.record.Records;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Record build (encrypt body, header and record, sign) and record verify+decrypt, single thread, with a
 * body whose dag-cbor encoding is 256 bytes. Storage is measured separately in {@link LogAppendBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED")
public class RecordBench {
    private ThreadKey key;
    private PrivateKey logKey;
    private PrivateKey identity;
    private CborValue body;
    private Cid prev;
    private RecordEnvelope envelope;

    @Setup
    public void setup() {
        key = ThreadKey.generate(true);
        logKey = Ed25519.generate();
        identity = Ed25519.generate();
        body = body256();
        RecordEnvelope first = Records.create(body, logKey, identity.publicKey(), null, key);
        prev = first.id();
        envelope = Records.create(body, logKey, identity.publicKey(), prev, key);
    }

    /** A dag-cbor map {@code {"data": <248 random bytes>}}: exactly 256 bytes encoded. */
    static CborValue body256() {
        byte[] data = new byte[248];
        new SecureRandom().nextBytes(data);
        CborValue body = CborValue.map("data", CborValue.bytes(data));
        int size = io.weft.core.cbor.DagCbor.encode(body).length;
        if (size != 256) {
            throw new IllegalStateException("benchmark body is " + size + " bytes, not 256");
        }
        return body;
    }

    /** Build a non-first record: content key, three AES-GCM encryptions, three CIDs, one signature. */
    @Benchmark
    public RecordEnvelope create() {
        return Records.create(body, logKey, identity.publicKey(), prev, key);
    }

    /** Replica-level verification: decrypt the record node, check the signature and the three hashes. */
    @Benchmark
    public Record verify() {
        return Records.verify(envelope, logKey.publicKey(), key, prev);
    }

    /** Reader-level: verify, then decrypt header and body and decode the body strictly. */
    @Benchmark
    public Payload verifyAndOpen() {
        Record record = Records.verify(envelope, logKey.publicKey(), key, prev);
        return Records.open(record, key);
    }
}
