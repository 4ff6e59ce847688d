package io.weft.benchmarks;

import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
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
 * The signature bound: raw Ed25519 sign and verify with BouncyCastle's fast path, over a 72-byte message
 * (the size of a record's signed payload, {@code CID(event) || CID(prev)}). Record rates are reported as a
 * fraction of these.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED")
public class Ed25519Bench {
    private final byte[] seed = new byte[Ed25519.SECRET_KEY_SIZE];
    private final byte[] pub = new byte[Ed25519.PUBLIC_KEY_SIZE];
    private final byte[] message = new byte[72];
    private final byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
    private Ed25519.PublicPoint point;

    @Setup
    public void setup() {
        SecureRandom random = new SecureRandom();
        random.nextBytes(seed);
        random.nextBytes(message);
        Ed25519.generatePublicKey(seed, 0, pub, 0);
        Ed25519.sign(seed, 0, pub, 0, message, 0, message.length, signature, 0);
        point = Ed25519.validatePublicKeyFullExport(pub, 0);
    }

    /** Raw signing with the public key supplied (no public key derivation per call). */
    @Benchmark
    public byte[] rawSign() {
        byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.sign(seed, 0, pub, 0, message, 0, message.length, sig, 0);
        return sig;
    }

    /** Raw verification, decoding the public key every call. */
    @Benchmark
    public boolean rawVerify() {
        return Ed25519.verify(signature, 0, pub, 0, message, 0, message.length);
    }

    /** Raw verification against a pre-decoded public point: the library's fastest verify, the stricter bound. */
    @Benchmark
    public boolean rawVerifyPrecomputedPoint() {
        return Ed25519.verify(signature, 0, point, message, 0, message.length);
    }
}
