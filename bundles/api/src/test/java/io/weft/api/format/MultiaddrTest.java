package io.weft.api.format;

import static io.weft.api.format.TestVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.weft.api.InvalidInputException;
import io.weft.api.crypto.PublicKey;
import io.weft.api.format.Multiaddr.Component;
import io.weft.api.format.Multiaddr.Protocol;
import io.weft.api.thread.PeerId;
import io.weft.api.thread.ThreadId;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class MultiaddrTest {

    private static final String PEER = "12D3KooWS2QMPk53mi6xzjr6j87bB9NDfn6NnnQWFc31p86SwpBW";
    private static final String THREAD = "bafktbzj3z4gc7x44dc7izjieurbboybszntx6vapj3umytpilvuqjva";

    // ---------------------------------------------------------------------------------------------------------
    // Vectors

    /** textile-formats.json threadMultiaddrs, produced by @textile/multiaddr: text ↔ bytes exactly. */
    @Test
    void textileThreadMultiaddrs() {
        JsonNode vectors = TestVectors.json("textile-formats.json").get("threadMultiaddrs");
        assertEquals(2, vectors.size());
        for (JsonNode v : vectors) {
            String text = v.get("string").asText();
            String bytesHex = v.get("bytes_hex").asText();
            Multiaddr fromText = Multiaddr.parse(text);
            assertEquals(bytesHex, hex(fromText.bytes()), text);
            assertEquals(text, fromText.toString());
            Multiaddr fromBytes = Multiaddr.decode(hex(bytesHex));
            assertEquals(text, fromBytes.toString());
            assertEquals(fromText, fromBytes);
            assertEquals(fromText.hashCode(), fromBytes.hashCode());
            assertTrue(fromText.threadId().isPresent(), text);
            assertEquals(ThreadId.parse(text.substring(text.indexOf("/thread/") + 8)), fromText.threadId().get());
        }
    }

    @Test
    void vectorAccessors() {
        Multiaddr m = Multiaddr.parse("/ip4/127.0.0.1/tcp/4006/p2p/" + PEER + "/thread/" + THREAD);
        assertEquals(Optional.of(PeerId.parse(PEER)), m.peerId());
        assertEquals(Optional.of(ThreadId.parse(THREAD)), m.threadId());
        assertEquals(Optional.of("127.0.0.1"), m.value(Protocol.IP4));
        assertEquals(Optional.of("4006"), m.value(Protocol.TCP));
        assertEquals(Optional.empty(), m.value(Protocol.UDP));
        assertEquals(List.of(Protocol.IP4, Protocol.TCP, Protocol.P2P, Protocol.THREAD),
                m.components().stream().map(Component::protocol).toList());
        assertTrue(m.has(Protocol.P2P));
        assertFalse(m.has(Protocol.IP6));
        assertEquals(m.first(Protocol.TCP), m.first(6));
        assertEquals(Optional.empty(), m.first(9999));
        assertEquals(Optional.empty(), Multiaddr.parse("/ip4/1.2.3.4").peerId());
        assertEquals(Optional.empty(), Multiaddr.parse("/ip4/1.2.3.4").threadId());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Known encodings (go-multiaddr / multiaddr spec)

    @Test
    void knownEncodings() {
        check("/ip4/127.0.0.1/udp/1234", "047f000001910204d2");
        check("/ip4/127.0.0.1/tcp/4321", "047f0000010610e1");
        check("/ip6/::1/tcp/8080", "2900000000000000000000000000000001061f90");
        check("/ip6/2001:db8::1/udp/4001/quic-v1", "2920010db800000000000000000000000191020fa1cd03");
        check("/ip4/1.2.3.4/udp/4001/quic", "040102030491020fa1cc03");
        check("/dns4/example.com/tcp/443/wss", "360b6578616d706c652e636f6d0601bbde03");
        check("/dns6/example.com/tcp/443/tls/ws", "370b6578616d706c652e636f6d0601bbc003dd03");
        check("/dns/example.com/tcp/80/noise", "350b6578616d706c652e636f6d060050c603");
        check("/dnsaddr/bootstrap.libp2p.io", "3813626f6f7473747261702e6c69627032702e696f");
        check("/p2p-circuit", "a202");
        check("/ip4/0.0.0.0/tcp/0", "040000000006" + "0000");
        check("/ip4/255.255.255.255/tcp/65535", "04ffffffff06ffff");
    }

    private static void check(String text, String bytesHex) {
        Multiaddr m = Multiaddr.parse(text);
        assertEquals(bytesHex, hex(m.bytes()), text);
        assertEquals(text, Multiaddr.decode(hex(bytesHex)).toString());
    }

    @Test
    void protocolTable() {
        int[][] expected = {{4}, {6}, {41}, {53}, {54}, {55}, {56}, {273}, {290}, {406}, {421}, {448}, {454}, {460}, {461},
                {477}, {478}};
        assertEquals(expected.length, Protocol.values().length);
        for (Protocol p : Protocol.values()) {
            assertEquals(Optional.of(p), Protocol.forCode(p.code()));
            assertEquals(Optional.of(p), Protocol.forName(p.protocolName()));
        }
        assertEquals(0x01cc, Protocol.QUIC.code());
        assertEquals(0x01cd, Protocol.QUIC_V1.code());
        assertEquals(Optional.of(Protocol.P2P), Protocol.forName("ipfs"));
        assertEquals(Optional.empty(), Protocol.forName("udt"));
        assertEquals(Optional.empty(), Protocol.forCode(0x01bb));
        assertEquals(Protocol.VARIABLE, Protocol.THREAD.size());
        assertFalse(Protocol.WS.hasValue());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Alternative spellings

    @Test
    void aliasesAndAlternativeValueForms() {
        Multiaddr canonical = Multiaddr.parse("/p2p/" + PEER);
        assertEquals(canonical, Multiaddr.parse("/ipfs/" + PEER));
        assertEquals("/p2p/" + PEER, Multiaddr.parse("/ipfs/" + PEER).toString());
        String cidForm = PeerId.parse(PEER).toCidString();
        assertEquals(canonical, Multiaddr.parse("/p2p/" + cidForm));

        ThreadId t = ThreadId.parse(THREAD);
        assertEquals(Multiaddr.parse("/thread/" + THREAD),
                Multiaddr.parse("/thread/" + t.toString(Multibase.Base.BASE58_BTC)));
        assertEquals("/thread/" + THREAD, Multiaddr.parse("/thread/" + t.toString(Multibase.Base.BASE16)).toString());

        assertEquals("/tcp/80", Multiaddr.parse("/tcp/080").toString());
        assertEquals("/tcp/0", Multiaddr.parse("/tcp/00000").toString());
    }

    @Test
    void ip6CanonicalText() {
        String[][] cases = {
                {"::", "::"},
                {"::1", "::1"},
                {"1::", "1::"},
                {"0:0:0:0:0:0:0:0", "::"},
                {"0:0:0:0:0:0:0:1", "::1"},
                {"2001:DB8::1", "2001:db8::1"},
                {"2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"},
                {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
                {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
                {"1:0:0:2:0:0:0:3", "1:0:0:2::3"},
                {"1:0:0:2:0:0:3:4", "1::2:0:0:3:4"},
                {"fe80::", "fe80::"},
                {"FE80:0:0:0:0:0:0:0", "fe80::"},
                {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
                {"::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"},
                {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
                {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
                {"::ffff:c000:0201", "::ffff:192.0.2.1"},
                {"0:0:0:0:0:FFFF:C000:201", "::ffff:192.0.2.1"},
                {"::1.2.3.4", "::102:304"},
                {"64:ff9b::192.0.2.33", "64:ff9b::c000:221"},
                {"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"},
                {"0001:0002:0003:0004:0005:0006:0007:0008", "1:2:3:4:5:6:7:8"},
        };
        for (String[] c : cases) {
            assertEquals("/ip6/" + c[1], Multiaddr.parse("/ip6/" + c[0]).toString(), c[0]);
            assertEquals("/ip6/" + c[1], Multiaddr.parse("/ip6/" + c[1]).toString(), c[1]);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Rejections

    @Test
    void rejectsMalformedText() {
        String p = "/p2p/" + PEER;
        String[] bad = {
                "", "/", "//", "ip4/1.2.3.4", "/ip4/1.2.3.4/", "//ip4/1.2.3.4", "/ip4//1.2.3.4", "/ip4/1.2.3.4//tcp/1",
                "/ip4", "/tcp", "/ip4/1.2.3.4/tcp", "/foo", "/foo/bar", "/ip5/1.2.3.4", "/udt", "/IP4/1.2.3.4",
                " /ip4/1.2.3.4", "/ip4/1.2.3.4 ",
                // ip4
                "/ip4/", "/ip4/1.2.3", "/ip4/1.2.3.4.5", "/ip4/256.0.0.1", "/ip4/01.2.3.4", "/ip4/1.2.3.04", "/ip4/a.b.c.d",
                "/ip4/1..2.3", "/ip4/1.2.3.-4", "/ip4/1.2.3.4.", "/ip4/.1.2.3", "/ip4/\u0661.2.3.4", "/ip4/0x7f.0.0.1",
                "/ip4/1000.0.0.1", "/ip4/localhost", "/ip4/::1",
                // ip6
                "/ip6/", "/ip6/:", "/ip6/:::", "/ip6/1:2:3:4:5:6:7:8:9", "/ip6/1:2:3:4:5:6:7", "/ip6/12345::",
                "/ip6/g::", "/ip6/::1%eth0", "/ip6/[::1]", "/ip6/1.2.3.4", "/ip6/::1.2.3", "/ip6/1.2.3.4::",
                "/ip6/::1.2.3.4:5", "/ip6/1::2::3", "/ip6/:1::", "/ip6/1::2:", "/ip6/::ffff:256.1.1.1",
                "/ip6/1:2:3:4:5:6:7:8::", "/ip6/::1:2:3:4:5:6:7:8", "/ip6/1:2:3:4:5:6:7:1.2.3.4", "/ip6/::\u0661",
                "/ip6/localhost", "/ip6/::01.2.3.4", "/ip6/1:2:3:4:5:6:7:8:",
                "/ip6/2001:db8::0:1:1:1:1:1" /* "::" must stand for at least one group */, "/ip6/::0:0:0:0:0:0:0:0",
                // ports
                "/tcp/65536", "/tcp/99999", "/tcp/-1", "/tcp/+80", "/tcp/", "/tcp/80a", "/tcp/123456", "/tcp/0x50",
                "/udp/70000", "/udp/ 1", "/tcp/\u0661",
                // dns
                "/dns4/", "/dns", "/dns6/", "/dnsaddr/", "/dns4/\ud800",
                // p2p
                "/p2p/", "/p2p/notbase58!", "/p2p/" + PEER.substring(0, 40), "/p2p/" + PEER + "x",
                "/p2p/bafyreieuo4edy3t6wft744mmy7osu7nosg6tiyhl3eptlqp6w3kxgw5fvm", "/ipfs", "/p2p",
                // thread
                "/thread/", "/thread/bafkqaaaa", "/thread/" + THREAD.substring(1), "/thread/" + PEER,
                // valueless protocols given values
                "/tls/1", "/quic-v1/x", "/ws/", p + "/p2p-circuit/",
                // valid prefix, trailing junk
                p + "/", p + "/thread", "/ip4/1.2.3.4/tcp/80/ws/x",
        };
        for (String s : bad) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Multiaddr.parse(s), s);
            assertTrue(e.getMessage().startsWith("multiaddr"), e.getMessage());
        }
        assertThrows(InvalidInputException.class, () -> Multiaddr.parse(null));
    }

    @Test
    void rejectsMalformedBytes() {
        String[] bad = {
                "", "00", "01", "05", "ff", "8000", "8400", "04", "047f", "047f0000", "047f00000106", "047f0000010610",
                "29" + "00".repeat(15), "0601", "910201",
                "35", "3500", "3501", "3502ff", "350261", "3581", "35ffffffffffffffff7f", "35012f", "3503612f62",
                "3502c328", "3502edA080".toLowerCase(Locale.ROOT),
                "a503", "a50300", "a50303010203", "a503260024", "a503ff01",
                "9603", "960300", "96031201550000", "9603020155",
                "a20200", "cd0301", "8001",
                "047f000001" + "de03" + "00",
                "bb03", "cb03", "ce03",
        };
        for (String h : bad) {
            assertThrows(InvalidInputException.class, () -> Multiaddr.decode(hex(h)), h);
        }
        assertThrows(InvalidInputException.class, () -> Multiaddr.decode(null));
    }

    @Test
    void lengthLimit() {
        // dns value of n bytes: 1 (code) + 2 (varint length) + n
        int fits = Multiaddr.MAX_LENGTH - 3;
        Multiaddr max = Multiaddr.parse("/dns/" + "a".repeat(fits));
        assertEquals(Multiaddr.MAX_LENGTH, max.bytes().length);
        assertEquals(max, Multiaddr.decode(max.bytes()));
        assertThrows(InvalidInputException.class, () -> Multiaddr.parse("/dns/" + "a".repeat(fits + 1)));
        byte[] tooLong = Arrays.copyOf(max.bytes(), Multiaddr.MAX_LENGTH + 1);
        assertThrows(InvalidInputException.class, () -> Multiaddr.decode(tooLong));
        assertThrows(InvalidInputException.class, () -> max.encapsulate(Multiaddr.parse("/ws")));
        assertThrows(InvalidInputException.class, () -> Multiaddr.parse("/ws".repeat(2000)));
        assertThrows(InvalidInputException.class, () -> Multiaddr.parse("/ws".repeat(513))); // 1026 bytes
        assertEquals(512 * 2, Multiaddr.parse("/ws".repeat(512)).bytes().length);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Composition

    @Test
    void encapsulateAndDecapsulate() {
        Multiaddr base = Multiaddr.parse("/ip4/1.2.3.4/tcp/4006");
        Multiaddr peer = Multiaddr.parse("/p2p/" + PEER);
        Multiaddr thread = Multiaddr.parse("/thread/" + THREAD);
        Multiaddr full = base.encapsulate(peer).encapsulate(thread);
        assertEquals("/ip4/1.2.3.4/tcp/4006/p2p/" + PEER + "/thread/" + THREAD, full.toString());

        assertEquals(base.encapsulate(peer), full.decapsulate(Protocol.THREAD));
        assertEquals(base.encapsulate(peer), full.decapsulate(thread));
        assertEquals(base, full.decapsulate(Protocol.P2P));
        assertEquals(base, full.decapsulate(421));
        assertEquals(base, full.decapsulate(peer.encapsulate(thread)));
        assertEquals(Multiaddr.parse("/ip4/1.2.3.4"), full.decapsulate(Multiaddr.parse("/tcp/4006")));
        assertTrue(full.decapsulate(Protocol.IP4).isEmpty());
        assertTrue(full.decapsulate(full).isEmpty());
        assertEquals("", full.decapsulate(full).toString());
        assertArrayEquals(new byte[0], full.decapsulate(full).bytes());
        assertSame(full, full.decapsulate(Protocol.UDP));
        assertSame(full, full.decapsulate(9999));
        assertSame(full, full.decapsulate(Multiaddr.parse("/tcp/4007")));
        assertSame(full, full.decapsulate(Multiaddr.empty()));
        assertSame(full, full.decapsulate(full.encapsulate(Multiaddr.parse("/ws"))));

        // last occurrence wins
        Multiaddr twice = Multiaddr.parse("/ip4/1.2.3.4/tcp/1/ip4/1.2.3.4/tcp/1");
        assertEquals(Multiaddr.parse("/ip4/1.2.3.4/tcp/1"), twice.decapsulate(Multiaddr.parse("/ip4/1.2.3.4")));
        assertEquals(Multiaddr.parse("/ip4/1.2.3.4/tcp/1/ip4/1.2.3.4"), twice.decapsulate(Protocol.TCP));

        assertSame(full, full.encapsulate(Multiaddr.empty()));
        assertSame(full, Multiaddr.empty().encapsulate(full));
        assertEquals(full, base.encapsulate(Component.parse(Protocol.P2P, PEER)).encapsulate(thread));
        assertTrue(Multiaddr.empty().isEmpty());
        assertEquals(Multiaddr.empty(), Multiaddr.of(List.of()));
        assertThrows(InvalidInputException.class, () -> Multiaddr.parse(Multiaddr.empty().toString()));
    }

    @Test
    void relayAddressesNameTheRelayFirst() {
        PeerId relay = PeerId.of(new PublicKey(new byte[32]));
        Multiaddr m = Multiaddr.parse("/ip4/1.2.3.4/tcp/4001/p2p/" + relay + "/p2p-circuit/p2p/" + PEER);
        assertEquals(Optional.of(relay), m.peerId());
        assertEquals(Multiaddr.parse("/ip4/1.2.3.4/tcp/4001/p2p/" + relay), m.decapsulate(Protocol.P2P_CIRCUIT));
        Component target = m.components().get(m.components().size() - 1);
        assertEquals(PEER, target.valueString());
    }

    @Test
    void componentApi() {
        Component tcp = Component.parse(Protocol.TCP, "4006");
        assertEquals("4006", tcp.valueString());
        assertArrayEquals(new byte[] {0x0f, (byte) 0xa6}, tcp.value());
        assertEquals("/tcp/4006", tcp.toString());
        assertEquals("060fa6", hex(tcp.bytes()));
        assertEquals(tcp, Component.of(Protocol.TCP, new byte[] {0x0f, (byte) 0xa6}));
        assertEquals(tcp.hashCode(), Component.of(Protocol.TCP, new byte[] {0x0f, (byte) 0xa6}).hashCode());
        assertEquals("/ws", Component.of(Protocol.WS).toString());
        assertEquals("", Component.of(Protocol.WS).valueString());
        assertEquals("dd03", hex(Component.of(Protocol.WS).bytes()));
        assertEquals(Component.of(Protocol.WS), Component.parse(Protocol.WS, ""));
        assertEquals("350161", hex(Component.parse(Protocol.DNS, "a").bytes()));
        assertThrows(InvalidInputException.class, () -> Component.of(Protocol.IP4, new byte[3]));
        assertThrows(InvalidInputException.class, () -> Component.of(Protocol.IP4));
        assertThrows(InvalidInputException.class, () -> Component.of(Protocol.WS, new byte[1]));
        assertThrows(InvalidInputException.class, () -> Component.parse(Protocol.WS, "x"));
        assertThrows(InvalidInputException.class, () -> Component.of(Protocol.P2P, new byte[] {0, 1, 2}));
        assertThrows(InvalidInputException.class, () -> Component.of(Protocol.DNS, "a/b".getBytes()));
        assertThrows(InvalidInputException.class, () -> Component.parse(null, "x"));
        byte[] v = {1, 2, 3, 4};
        Component ip = Component.of(Protocol.IP4, v);
        v[0] = 9;
        ip.value()[1] = 9;
        assertEquals("1.2.3.4", ip.valueString());
        assertEquals(Multiaddr.parse("/ip4/1.2.3.4/ws"), Multiaddr.of(ip, Component.of(Protocol.WS)));
    }

    @Test
    void unicodeDnsNames() {
        Multiaddr m = Multiaddr.parse("/dns/b\u00fccher.example/tcp/443");
        assertEquals("350f" + "62c3bc636865722e6578616d706c65" + "0601bb", hex(m.bytes()));
        assertEquals("/dns/b\u00fccher.example/tcp/443", m.toString());
        assertEquals(m, Multiaddr.decode(m.bytes()));
    }

    @Test
    void equalityAndOrder() {
        Multiaddr a = Multiaddr.parse("/ip4/1.2.3.4/tcp/1");
        Multiaddr b = Multiaddr.parse("/ip4/1.2.3.4/tcp/2");
        assertEquals(a, Multiaddr.parse("/ip4/1.2.3.4/tcp/0001"));
        assertNotEquals(a, b);
        assertTrue(a.compareTo(b) < 0);
        assertNotEquals(Multiaddr.parse("/tcp/1"), Multiaddr.parse("/udp/1"));
        assertNotEquals(a, a.toString());
        byte[] bytes = a.bytes();
        bytes[1] = 9;
        assertEquals("/ip4/1.2.3.4/tcp/1", a.toString());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Properties

    @Provide
    static Arbitrary<Component> components() {
        Arbitrary<byte[]> b4 = Arbitraries.bytes().array(byte[].class).ofSize(4);
        Arbitrary<byte[]> b16 = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofSize(16),
                // mostly-zero addresses exercise "::" compression
                Arbitraries.bytes().between((byte) 0, (byte) 2).array(byte[].class).ofSize(16),
                Arbitraries.bytes().array(byte[].class).ofSize(4).map(v4 -> {
                    byte[] mapped = new byte[16];
                    mapped[10] = (byte) 0xff;
                    mapped[11] = (byte) 0xff;
                    System.arraycopy(v4, 0, mapped, 12, 4);
                    return mapped;
                }));
        Arbitrary<byte[]> port = Arbitraries.bytes().array(byte[].class).ofSize(2);
        Arbitrary<String> dns = Arbitraries.strings().alpha().numeric().withChars(".-_:\u00e9\u4e2d\u00fc")
                .ofMinLength(1).ofMaxLength(30);
        Arbitrary<byte[]> peer = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofSize(32).map(k -> PeerId.of(new PublicKey(k)).bytes()),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64).map(k -> Multihash.sha256(k).bytes()));
        Arbitrary<byte[]> thread = Combinators.combine(Arbitraries.of(ThreadId.Variant.class),
                Arbitraries.bytes().array(byte[].class).ofMinSize(16).ofMaxSize(64)).as((v, r) -> ThreadId.of(v, r).bytes());
        return Arbitraries.oneOf(
                b4.map(v -> Component.of(Protocol.IP4, v)),
                b16.map(v -> Component.of(Protocol.IP6, v)),
                port.map(v -> Component.of(Protocol.TCP, v)),
                port.map(v -> Component.of(Protocol.UDP, v)),
                Combinators.combine(Arbitraries.of(Protocol.DNS, Protocol.DNS4, Protocol.DNS6, Protocol.DNSADDR), dns)
                        .as(Component::parse),
                peer.map(v -> Component.of(Protocol.P2P, v)),
                thread.map(v -> Component.of(Protocol.THREAD, v)),
                Arbitraries.of(Protocol.P2P_CIRCUIT, Protocol.TLS, Protocol.NOISE, Protocol.QUIC, Protocol.QUIC_V1,
                        Protocol.WS, Protocol.WSS).map(Component::of));
    }

    @Provide
    Arbitrary<List<Component>> componentLists() {
        return components().list().ofMinSize(1).ofMaxSize(8);
    }

    @Property
    void roundTrips(@ForAll("componentLists") List<Component> list) {
        Multiaddr m = Multiaddr.of(list);
        assertEquals(list, m.components());
        Multiaddr fromBytes = Multiaddr.decode(m.bytes());
        assertEquals(m, fromBytes);
        assertEquals(list, fromBytes.components());
        assertArrayEquals(m.bytes(), fromBytes.bytes());
        String text = m.toString();
        Multiaddr fromText = Multiaddr.parse(text);
        assertEquals(m, fromText, text);
        assertEquals(text, fromText.toString());
        // the binary form is the concatenation of the components' forms
        ByteArrayOutputStream concat = new ByteArrayOutputStream();
        for (Component c : list) {
            concat.writeBytes(c.bytes());
            assertEquals(c, Component.parse(c.protocol(), c.valueString()));
        }
        assertArrayEquals(concat.toByteArray(), m.bytes());
    }

    @Property
    void encapsulateThenDecapsulate(@ForAll("componentLists") List<Component> a, @ForAll("componentLists") List<Component> b) {
        Multiaddr ma = Multiaddr.of(a);
        Multiaddr mb = Multiaddr.of(b);
        Multiaddr both = ma.encapsulate(mb);
        assertEquals(ma.toString() + mb.toString(), both.toString());
        assertEquals(ma.bytes().length + mb.bytes().length, both.bytes().length);
        Multiaddr back = both.decapsulate(mb);
        // the last occurrence of mb may start inside ma's tail only if mb also occurs there; it never ends later
        assertTrue(back.components().size() >= ma.components().size());
        assertEquals(ma.components(), back.components().subList(0, ma.components().size()));
        Protocol last = b.get(0).protocol();
        assertTrue(both.decapsulate(last).components().size() >= a.size());
    }

    /** A prefix of an encoding decodes only when it ends on a component boundary, and then to those components. */
    @Property
    void truncations(@ForAll("componentLists") List<Component> list) {
        Multiaddr m = Multiaddr.of(list);
        byte[] b = m.bytes();
        List<Integer> boundaries = new ArrayList<>();
        int offset = 0;
        for (Component c : list) {
            offset += c.bytes().length;
            boundaries.add(offset);
        }
        for (int n = 0; n < b.length; n++) {
            byte[] cut = Arrays.copyOf(b, n);
            int k = boundaries.indexOf(n);
            if (k >= 0) {
                assertEquals(list.subList(0, k + 1), Multiaddr.decode(cut).components());
            } else {
                assertThrows(InvalidInputException.class, () -> Multiaddr.decode(cut), "prefix " + n);
            }
        }
    }

    @Property
    void singleComponentTruncationsAreRejected(@ForAll("components") Component c) {
        byte[] b = c.bytes();
        for (int n = 0; n < b.length; n++) {
            byte[] cut = Arrays.copyOf(b, n);
            assertThrows(InvalidInputException.class, () -> Multiaddr.decode(cut));
        }
    }

    @Property
    void ip6TextIsCanonical(@ForAll("ip6") byte[] address) {
        String text = Component.of(Protocol.IP6, address).valueString();
        assertEquals(text.toLowerCase(Locale.ROOT), text);
        assertTrue(text.indexOf("::") == text.lastIndexOf("::"), text);
        assertFalse(text.contains(":::"), text);
        if (!text.startsWith("::ffff:") || text.indexOf('.') < 0) {
            for (String group : text.split(":")) {
                assertTrue(group.isEmpty() || (group.length() <= 4 && (group.equals("0") || !group.startsWith("0"))), text);
            }
            // "::" never stands for a single zero group, and no longer zero run is left uncompressed
            String[] full = fullForm(address).split(":");
            int longest = 0;
            for (int i = 0; i < 8; ) {
                int j = i;
                while (j < 8 && full[j].equals("0")) {
                    j++;
                }
                longest = Math.max(longest, j - i);
                i = j == i ? i + 1 : j;
            }
            assertEquals(longest >= 2, text.contains("::"), text);
        }
        // every other spelling parses to the same address
        assertArrayEquals(address, Component.parse(Protocol.IP6, text).value());
        assertArrayEquals(address, Component.parse(Protocol.IP6, fullForm(address)).value());
        assertArrayEquals(address, Component.parse(Protocol.IP6, fullForm(address).toUpperCase(Locale.ROOT)).value());
        assertArrayEquals(address, Component.parse(Protocol.IP6, paddedForm(address)).value());
        assertArrayEquals(address, Component.parse(Protocol.IP6, mixedForm(address)).value());
    }

    @Provide
    Arbitrary<byte[]> ip6() {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofSize(16),
                Arbitraries.bytes().between((byte) 0, (byte) 1).array(byte[].class).ofSize(16),
                Arbitraries.bytes().array(byte[].class).ofSize(4).map(v4 -> {
                    byte[] mapped = new byte[16];
                    mapped[10] = (byte) 0xff;
                    mapped[11] = (byte) 0xff;
                    System.arraycopy(v4, 0, mapped, 12, 4);
                    return mapped;
                }));
    }

    private static String fullForm(byte[] a) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            sb.append(i == 0 ? "" : ":").append(Integer.toHexString(((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff)));
        }
        return sb.toString();
    }

    private static String paddedForm(byte[] a) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            sb.append(i == 0 ? "" : ":").append(String.format("%02x%02x", a[2 * i] & 0xff, a[2 * i + 1] & 0xff));
        }
        return sb.toString();
    }

    private static String mixedForm(byte[] a) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            sb.append(Integer.toHexString(((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff))).append(':');
        }
        return sb.append(a[12] & 0xff).append('.').append(a[13] & 0xff).append('.').append(a[14] & 0xff).append('.')
                .append(a[15] & 0xff).toString();
    }

    @Property
    void portsRoundTrip(@ForAll @IntRange(min = 0, max = 65535) int port) {
        assertEquals("/tcp/" + port, Multiaddr.parse("/tcp/" + port).toString());
        assertEquals("/udp/" + port, Multiaddr.decode(Multiaddr.parse("/udp/" + port).bytes()).toString());
    }

    @Property
    void badPortsRejected(@ForAll @IntRange(min = 65536, max = Integer.MAX_VALUE) int port) {
        assertThrows(InvalidInputException.class, () -> Multiaddr.parse("/tcp/" + port));
        assertThrows(InvalidInputException.class, () -> Multiaddr.parse("/udp/" + port));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Fuzzing

    @Property
    void garbageBytesOnlyThrowInvalidInput(@ForAll @Size(max = 100) byte[] garbage) {
        Fuzz.onlyInvalidInput(() -> canonicalIfAccepted(garbage));
    }

    /** Random bytes after a known protocol code reach the value decoders. */
    @Property
    void garbageValuesOnlyThrowInvalidInput(@ForAll Protocol protocol, @ForAll @Size(max = 70) byte[] garbage,
            @ForAll boolean withLength) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Varint.encode(protocol.code()));
        if (withLength) {
            out.writeBytes(Varint.encode(garbage.length));
        }
        out.writeBytes(garbage);
        Fuzz.onlyInvalidInput(() -> canonicalIfAccepted(out.toByteArray()));
    }

    /** Valid encodings with one byte changed. */
    @Property
    void mutatedEncodingsOnlyThrowInvalidInput(@ForAll("componentLists") List<Component> list,
            @ForAll @IntRange(min = 0, max = 10_000) int where, @ForAll byte value) {
        byte[] b = Multiaddr.of(list).bytes();
        b[where % b.length] = value;
        Fuzz.onlyInvalidInput(() -> canonicalIfAccepted(b));
    }

    private static void canonicalIfAccepted(byte[] bytes) {
        Multiaddr m = Multiaddr.decode(bytes);
        assertArrayEquals(bytes, m.bytes());
        assertEquals(m, Multiaddr.parse(m.toString()));
        m.peerId();
        m.threadId();
    }

    @Property
    void garbageTextOnlyThrowsInvalidInput(@ForAll @Size(max = 100) String garbage) {
        Fuzz.onlyInvalidInput(() -> Multiaddr.parse(garbage));
        Fuzz.onlyInvalidInput(() -> Multiaddr.parse("/" + garbage));
    }

    @Provide
    Arbitrary<String> multiaddrLikeText() {
        Arbitrary<String> token = Arbitraries.oneOf(
                Arbitraries.of("ip4", "ip6", "tcp", "udp", "dns", "dns4", "dns6", "dnsaddr", "p2p", "ipfs", "thread", "tls",
                        "noise", "quic", "quic-v1", "ws", "wss", "p2p-circuit", "", "1.2.3.4", "::", "::1", "::ffff:1.2.3.4",
                        "65535", "65536", "0", "-1", "1:2:3:4:5:6:7:8", PEER, THREAD, "example.com", "z", "b", "\u0000"),
                Arbitraries.strings().withChars("0123456789abcdefABCDEF:.%[]z").ofMaxLength(40),
                Arbitraries.strings().ofMaxLength(10));
        return token.list().ofMaxSize(8).map(l -> "/" + String.join("/", l));
    }

    @Property
    void multiaddrLikeTextOnlyThrowsInvalidInput(@ForAll("multiaddrLikeText") String text) {
        Fuzz.onlyInvalidInput(() -> {
            Multiaddr m = Multiaddr.parse(text);
            assertEquals(m, Multiaddr.decode(m.bytes()));
            assertEquals(m, Multiaddr.parse(m.toString()));
        });
    }
}
