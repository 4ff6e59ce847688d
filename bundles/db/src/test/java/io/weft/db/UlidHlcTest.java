package io.weft.db;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class UlidHlcTest {

    @Test
    void ulidsAreLowerCaseCrockfordAndTimeOrdered() {
        Clock t1 = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC);
        Clock t2 = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_001L), ZoneOffset.UTC);
        String a = Ulid.next(t1);
        String b = Ulid.next(t2);
        assertEquals(26, a.length());
        assertTrue(Ulid.isUlid(a), a);
        assertEquals(a.toLowerCase(), a);
        assertTrue(a.compareTo(b) < 0);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            assertTrue(seen.add(Ulid.next(t1)));
        }
    }

    @Test
    void ulidMatchesTheSpecVector() {
        // time 0x01 and random all zero → "000000000100000000000000000" style: check the time part encoding
        byte[] zero = new byte[10];
        assertEquals("00000000000000000000000000", Ulid.of(0, zero));
        byte[] ones = new byte[10];
        java.util.Arrays.fill(ones, (byte) 0xFF);
        assertEquals("7zzzzzzzzzzzzzzzzzzzzzzzzz", Ulid.of(0xFFFF_FFFF_FFFFL, ones));
        // 1469918176385 ms is "01ARYZ6S41" in the spec example
        assertEquals("01aryz6s41", Ulid.of(1469918176385L, zero).substring(0, 10));
    }

    @Test
    void hlcTicksStrictlyAndFollowsObservedTimes() {
        Clock frozen = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);
        Hlc h = new Hlc(frozen, 60_000, 0);
        long a = h.tick();
        long b = h.tick();
        assertTrue(b > a);
        assertEquals(0, a & 0xFFFF, "a fresh physical time has a zero counter");
        h.observe(b + 1000);
        assertTrue(h.tick() > b + 1000, "a tick after an observed time sorts after it");
        long farFuture = a + 3_600_000_000_000L;
        h.observe(farFuture);
        assertTrue(h.tick() < farFuture, "a time beyond the skew bound does not drag the clock");
    }

    @Property
    void hlcIsMonotonic(@ForAll @LongRange(min = 0, max = 1L << 40) long start, @ForAll @LongRange(min = -5000, max = 5000) long step) {
        long[] wall = {1_700_000_000_000_000_000L + start};
        Clock c = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochSecond(0, wall[0]);
            }
        };
        Hlc h = new Hlc(c, 1000, 0);
        long last = Long.MIN_VALUE;
        for (int i = 0; i < 50; i++) {
            wall[0] += step; // the wall clock may go backwards
            long t = h.tick();
            assertTrue(t > last);
            last = t;
        }
    }
}
