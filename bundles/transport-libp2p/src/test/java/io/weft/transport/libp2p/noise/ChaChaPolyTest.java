package io.weft.transport.libp2p.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The chosen ChaCha20-Poly1305 produces exactly the JDK's bytes, and the native one is used where it ships. */
class ChaChaPolyTest {

    @Test
    void nativeCipherIsUsedOnLinuxX64() {
        boolean shipped = System.getProperty("os.name").toLowerCase().contains("linux")
                && System.getProperty("os.arch").matches("amd64|x86_64");
        if (shipped && System.getProperty(ChaChaPoly.PROPERTY) == null) {
            assertEquals("conscrypt", ChaChaPoly.implementation());
        }
    }

    @Test
    void sameBytesAsTheJdkBothWays() throws Exception {
        Random random = new Random(11);
        for (int i = 0; i < 200; i++) {
            byte[] k = new byte[32];
            byte[] iv = new byte[12];
            byte[] ad = new byte[random.nextInt(40)];
            byte[] plain = new byte[i < 100 ? random.nextInt(100) : random.nextInt(65519)];
            random.nextBytes(k);
            random.nextBytes(iv);
            random.nextBytes(ad);
            random.nextBytes(plain);
            SecretKeySpec key = new SecretKeySpec(k, "ChaCha20");
            byte[] a = seal(ChaChaPoly.newCipher(), key, iv, ad, plain);
            byte[] b = seal(Cipher.getInstance("ChaCha20-Poly1305"), key, iv, ad, plain);
            assertArrayEquals(b, a, "ciphertext " + i);
            // fresh objects: the JDK cipher refuses to reuse a key and nonce in one object
            Cipher jdkOpen = Cipher.getInstance("ChaCha20-Poly1305");
            jdkOpen.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(iv));
            jdkOpen.updateAAD(ad);
            assertArrayEquals(plain, jdkOpen.doFinal(a));
            Cipher chosenOpen = ChaChaPoly.newCipher();
            chosenOpen.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(iv));
            chosenOpen.updateAAD(ad);
            assertArrayEquals(plain, chosenOpen.doFinal(b));
        }
    }

    @Test
    void inputAndOutputInOneArray() throws Exception {
        // pooled Netty heap buffers often share one backing array; the native cipher must still be right
        Random random = new Random(5);
        byte[] k = new byte[32];
        random.nextBytes(k);
        int n = 60_000;
        byte[] buf = new byte[3 * n];
        random.nextBytes(buf);
        byte[] plain = java.util.Arrays.copyOfRange(buf, 0, n);
        CipherState send = new CipherState();
        send.initializeKey(k);
        int sealed = send.encrypt(null, buf, 0, n, buf, n + 7);
        byte[] reference = seal(Cipher.getInstance("ChaCha20-Poly1305"), new SecretKeySpec(k, "ChaCha20"), new byte[12],
                new byte[0], plain);
        assertArrayEquals(reference, java.util.Arrays.copyOfRange(buf, n + 7, n + 7 + sealed));
        CipherState receive = new CipherState();
        receive.initializeKey(k);
        int opened = receive.decrypt(null, buf, n + 7, sealed, buf, 0);
        assertArrayEquals(plain, java.util.Arrays.copyOfRange(buf, 0, opened));
    }

    @Test
    void threadsSharingOneArrayDoNotCorruptEachOther() throws Exception {
        // like Netty's pooled arenas: several connections' buffers are regions of one large array
        byte[] shared = new byte[4 << 20];
        int threads = 4;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final int base = t << 20;
                final long seed = t;
                results.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    byte[] k = new byte[32];
                    random.nextBytes(k);
                    CipherState state = new CipherState();
                    state.initializeKey(k);
                    Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
                    int n = 60_000;
                    for (long i = 0; i < 150; i++) {
                        byte[] plain = new byte[n];
                        random.nextBytes(plain);
                        System.arraycopy(plain, 0, shared, base, n);
                        int sealed = state.encrypt(null, shared, base, n, shared, base + 100_000);
                        byte[] iv = new byte[12];
                        for (int b = 0; b < 8; b++) {
                            iv[4 + b] = (byte) (i >>> (8 * b));
                        }
                        jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k, "ChaCha20"), new IvParameterSpec(iv));
                        byte[] expected = jdk.doFinal(plain);
                        if (!java.util.Arrays.equals(expected, java.util.Arrays.copyOfRange(shared, base + 100_000, base + 100_000 + sealed))) {
                            return (int) i;
                        }
                    }
                    return -1;
                }));
            }
            for (java.util.concurrent.Future<Integer> f : results) {
                assertEquals(-1, f.get(), "first corrupted message");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static byte[] seal(Cipher c, SecretKeySpec key, byte[] iv, byte[] ad, byte[] plain) throws Exception {
        c.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
        c.updateAAD(ad);
        return c.doFinal(plain);
    }
}
