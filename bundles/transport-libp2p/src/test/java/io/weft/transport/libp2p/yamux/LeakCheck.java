package io.weft.transport.libp2p.yamux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Paranoid Netty leak detection that records leaks instead of only logging them. {@link #install()} must run before
 * any {@link ByteBuf} class is initialised, so every test class calls it from a static initialiser.
 */
final class LeakCheck {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                      long maxActive) {
                return new Recording<>(resource, samplingInterval);
            }
        });
    }

    private LeakCheck() {
    }

    static void install() {
        // The static initialiser does the work.
    }

    /** Collects garbage, lets the detector poll its queue, and fails if any buffer leaked so far. */
    static void assertNoLeaks() {
        for (int i = 0; i < 5; i++) {
            System.gc();
            for (int j = 0; j < 100; j++) {
                ByteBuf probe = PooledByteBufAllocator.DEFAULT.buffer(8);
                probe.release();
            }
        }
        assertEquals(List.of(), List.copyOf(LEAKS), "leaked buffers");
    }

    private static final class Recording<T> extends ResourceLeakDetector<T> {
        @SuppressWarnings("deprecation")
        Recording(Class<T> type, int samplingInterval) {
            super(type, samplingInterval, Long.MAX_VALUE);
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            LEAKS.add(resourceType + ": " + records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            LEAKS.add(resourceType);
            super.reportUntracedLeak(resourceType);
        }
    }
}
