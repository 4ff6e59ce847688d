package io.weft.api.format;

import io.weft.api.InvalidInputException;
import io.weft.api.thread.PeerId;
import io.weft.api.thread.ThreadId;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A multiaddr: a self-describing network address as a path of protocol components, such as
 * {@code /ip4/127.0.0.1/tcp/4006/p2p/12D3KooW…/thread/bafk…}. Peers exchange these to say where they (and
 * their threads) can be reached, so the binary form must match go-multiaddr byte for byte: a sequence of
 * {@code varint(code) || value}, where fixed-size values are raw and variable-size values are
 * {@code varint(length) || bytes}.
 *
 * <p>Instances are immutable and compare by their binary form. Parsing and decoding are strict: unknown
 * protocols, truncated or malformed values, bad ports, empty names, invalid peer or thread ids, empty
 * components and stray slashes are rejected with {@link InvalidInputException}. The binary form is limited to
 * {@link #MAX_LENGTH} bytes. Nothing here performs name resolution: {@code dns*} values are kept as text.
 *
 * <p>Parsing accepts some alternative spellings that print canonically: {@code /ipfs/} for {@code /p2p/},
 * CIDv1 libp2p-key peer ids, any multibase thread id, non-canonical IPv6 text (printed per RFC 5952) and
 * ports with leading zeros.
 *
 * <p>A multiaddr may be empty (no components), as {@link #decapsulate} can return; the empty multiaddr prints
 * as {@code ""}, but {@link #parse} and {@link #decode} refuse empty input.
 */
public final class Multiaddr implements Comparable<Multiaddr> {
    /** Longest binary form accepted. */
    public static final int MAX_LENGTH = 1024;
    /** Longest text form accepted by {@link #parse}. */
    public static final int MAX_TEXT_LENGTH = 4096;

    private static final Multiaddr EMPTY = new Multiaddr(List.of(), new byte[0]);

    private final List<Component> components;
    private final byte[] bytes;

    private Multiaddr(List<Component> components, byte[] bytes) {
        this.components = components;
        this.bytes = bytes;
    }

    /**
     * The protocols Weft understands, with their multicodec codes and value sizes. Codes are from the
     * multicodec table; go-multiaddr uses the same.
     */
    public enum Protocol {
        /** IPv4 address, 4 bytes. */
        IP4(4, "ip4", 4),
        /** TCP port, 2 bytes big-endian. */
        TCP(6, "tcp", 2),
        /** IPv6 address, 16 bytes. */
        IP6(41, "ip6", 16),
        /** A DNS name resolving to any address (UTF-8, length-prefixed). */
        DNS(53, "dns", Protocol.VARIABLE),
        /** A DNS name resolving to IPv4 addresses. */
        DNS4(54, "dns4", Protocol.VARIABLE),
        /** A DNS name resolving to IPv6 addresses. */
        DNS6(55, "dns6", Protocol.VARIABLE),
        /** A DNS name whose TXT records hold multiaddrs. */
        DNSADDR(56, "dnsaddr", Protocol.VARIABLE),
        /** UDP port, 2 bytes big-endian. */
        UDP(273, "udp", 2),
        /** A libp2p circuit relay hop. */
        P2P_CIRCUIT(290, "p2p-circuit", 0),
        /** A Threads thread: length-prefixed {@link ThreadId} bytes, text base32. */
        THREAD(406, "thread", Protocol.VARIABLE),
        /** A libp2p peer: length-prefixed {@link PeerId} multihash, text base58btc (alias {@code ipfs}). */
        P2P(421, "p2p", Protocol.VARIABLE),
        /** TLS security. */
        TLS(448, "tls", 0),
        /** Noise security. */
        NOISE(454, "noise", 0),
        /** QUIC draft-29 (0x01cc). */
        QUIC(460, "quic", 0),
        /** QUIC version 1, RFC 9000 (0x01cd). */
        QUIC_V1(461, "quic-v1", 0),
        /** WebSocket. */
        WS(477, "ws", 0),
        /** Secure WebSocket. */
        WSS(478, "wss", 0);

        /** {@link #size()} of protocols whose values are length-prefixed. */
        public static final int VARIABLE = -1;

        private final int code;
        private final String protocolName;
        private final int size;

        Protocol(int code, String protocolName, int size) {
            this.code = code;
            this.protocolName = protocolName;
            this.size = size;
        }

        /** The multicodec code. */
        public int code() {
            return code;
        }

        /** The name in the text form ({@code ip4}, {@code p2p-circuit}, …). */
        public String protocolName() {
            return protocolName;
        }

        /** The value size in bytes: 0 for none, {@link #VARIABLE} for length-prefixed values. */
        public int size() {
            return size;
        }

        /** Whether the protocol carries a value. */
        public boolean hasValue() {
            return size != 0;
        }

        /** The protocol with {@code code}, if known. */
        public static Optional<Protocol> forCode(long code) {
            for (Protocol p : values()) {
                if (p.code == code) {
                    return Optional.of(p);
                }
            }
            return Optional.empty();
        }

        /** The protocol named {@code name} in text form ({@code ipfs} is read as {@link #P2P}), if known. */
        public static Optional<Protocol> forName(String name) {
            if ("ipfs".equals(name)) {
                return Optional.of(P2P);
            }
            for (Protocol p : values()) {
                if (p.protocolName.equals(name)) {
                    return Optional.of(p);
                }
            }
            return Optional.empty();
        }
    }

    /** One {@code /protocol/value} step of a multiaddr, with its value validated for the protocol. */
    public static final class Component {
        private final Protocol protocol;
        private final byte[] value;

        private Component(Protocol protocol, byte[] value) {
            this.protocol = protocol;
            this.value = value;
        }

        /** A component of a protocol that carries no value ({@code /tls}, {@code /quic-v1}, …). */
        public static Component of(Protocol protocol) {
            return of(protocol, new byte[0]);
        }

        /** A component from the binary value (without length prefix), validated for {@code protocol}. */
        public static Component of(Protocol protocol, byte[] value) {
            if (protocol == null || value == null) {
                throw new InvalidInputException("multiaddr: missing protocol or value");
            }
            byte[] v = value.clone();
            try {
                checkValue(protocol, v);
            } catch (InvalidInputException e) {
                throw new InvalidInputException("multiaddr: invalid /" + protocol.protocolName + " value: " + e.getMessage(), e);
            }
            return new Component(protocol, v);
        }

        /** A component from the text value, as it appears between slashes. */
        public static Component parse(Protocol protocol, String text) {
            if (protocol == null || text == null) {
                throw new InvalidInputException("multiaddr: missing protocol or value");
            }
            if (!protocol.hasValue()) {
                if (!text.isEmpty()) {
                    throw new InvalidInputException("multiaddr: /" + protocol.protocolName + " takes no value");
                }
                return of(protocol);
            }
            try {
                return new Component(protocol, parseValue(protocol, text));
            } catch (InvalidInputException e) {
                throw new InvalidInputException("multiaddr: invalid /" + protocol.protocolName + " value " + quote(text)
                        + ": " + e.getMessage(), e);
            }
        }

        /** The protocol. */
        public Protocol protocol() {
            return protocol;
        }

        /** The binary value, without length prefix (a copy; empty for valueless protocols). */
        public byte[] value() {
            return value.clone();
        }

        /** The text value ({@code ""} for valueless protocols). */
        public String valueString() {
            return formatValue(protocol, value);
        }

        /** The binary form of this component alone. */
        public byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 4);
            write(out);
            return out.toByteArray();
        }

        private void write(ByteArrayOutputStream out) {
            Varint.write(out, protocol.code);
            if (protocol.size == Protocol.VARIABLE) {
                Varint.write(out, value.length);
            }
            out.writeBytes(value);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Component c && c.protocol == protocol && Arrays.equals(c.value, value);
        }

        @Override
        public int hashCode() {
            return protocol.hashCode() * 31 + Arrays.hashCode(value);
        }

        /** {@code /name} or {@code /name/value}. */
        @Override
        public String toString() {
            return protocol.hasValue() ? "/" + protocol.protocolName + "/" + valueString() : "/" + protocol.protocolName;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Construction

    /** The multiaddr of the given components, in order. */
    public static Multiaddr of(List<Component> components) {
        if (components == null) {
            throw new InvalidInputException("multiaddr: missing components");
        }
        List<Component> list = List.copyOf(components);
        if (list.isEmpty()) {
            return EMPTY;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        for (Component c : list) {
            c.write(out);
        }
        byte[] b = out.toByteArray();
        if (b.length > MAX_LENGTH) {
            throw new InvalidInputException("multiaddr: longer than " + MAX_LENGTH + " bytes (" + b.length + ")");
        }
        return new Multiaddr(list, b);
    }

    /** The multiaddr of the given components, in order. */
    public static Multiaddr of(Component... components) {
        if (components == null) {
            throw new InvalidInputException("multiaddr: missing components");
        }
        return of(Arrays.asList(components));
    }

    /** The multiaddr with no components. */
    public static Multiaddr empty() {
        return EMPTY;
    }

    /** Parses the text form {@code /proto/value/proto/…}. */
    public static Multiaddr parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidInputException("multiaddr: empty string");
        }
        if (text.length() > MAX_TEXT_LENGTH) {
            throw new InvalidInputException("multiaddr: text longer than " + MAX_TEXT_LENGTH + " characters");
        }
        if (text.charAt(0) != '/') {
            throw new InvalidInputException("multiaddr: must begin with '/': " + quote(text));
        }
        String[] parts = text.substring(1).split("/", -1);
        List<Component> out = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            String name = parts[i];
            if (name.isEmpty()) {
                throw new InvalidInputException("multiaddr: empty protocol name (stray '/') in " + quote(text));
            }
            Protocol p = Protocol.forName(name).orElseThrow(
                    () -> new InvalidInputException("multiaddr: unknown protocol " + quote(name)));
            if (p.hasValue()) {
                if (i + 1 >= parts.length) {
                    throw new InvalidInputException("multiaddr: missing value for /" + name);
                }
                out.add(Component.parse(p, parts[++i]));
            } else {
                out.add(Component.of(p));
            }
        }
        return of(out);
    }

    /** Decodes the binary form. */
    public static Multiaddr decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new InvalidInputException("multiaddr: empty input");
        }
        if (bytes.length > MAX_LENGTH) {
            throw new InvalidInputException("multiaddr: longer than " + MAX_LENGTH + " bytes (" + bytes.length + ")");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        List<Component> out = new ArrayList<>();
        while (in.hasRemaining()) {
            int start = in.position();
            long code;
            try {
                code = Varint.read(in);
            } catch (InvalidInputException e) {
                throw new InvalidInputException("multiaddr: bad protocol code at offset " + start + ": " + e.getMessage(), e);
            }
            Protocol p = Protocol.forCode(code).orElseThrow(
                    () -> new InvalidInputException("multiaddr: unknown protocol code " + code + " at offset " + start));
            int size = p.size;
            if (size == Protocol.VARIABLE) {
                long len;
                try {
                    len = Varint.read(in);
                } catch (InvalidInputException e) {
                    throw new InvalidInputException("multiaddr: bad /" + p.protocolName + " length: " + e.getMessage(), e);
                }
                if (len > in.remaining()) {
                    throw new InvalidInputException("multiaddr: truncated /" + p.protocolName + " value (need " + len
                            + " bytes, have " + in.remaining() + ")");
                }
                size = (int) len;
            } else if (size > in.remaining()) {
                throw new InvalidInputException("multiaddr: truncated /" + p.protocolName + " value (need " + size
                        + " bytes, have " + in.remaining() + ")");
            }
            byte[] value = new byte[size];
            in.get(value);
            out.add(Component.of(p, value));
        }
        return new Multiaddr(List.copyOf(out), bytes.clone());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Views

    /** The binary form (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The components, in order (unmodifiable). */
    public List<Component> components() {
        return components;
    }

    /** Whether there are no components. */
    public boolean isEmpty() {
        return components.isEmpty();
    }

    /** Whether some component has {@code protocol}. */
    public boolean has(Protocol protocol) {
        return first(protocol).isPresent();
    }

    /** The first component with {@code protocol}. */
    public Optional<Component> first(Protocol protocol) {
        for (Component c : components) {
            if (c.protocol == protocol) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** The first component with multicodec {@code code}. */
    public Optional<Component> first(int code) {
        return Protocol.forCode(code).flatMap(this::first);
    }

    /** The text value of the first component with {@code protocol}. */
    public Optional<String> value(Protocol protocol) {
        return first(protocol).map(Component::valueString);
    }

    /** The peer id of the first {@code /p2p} component. */
    public Optional<PeerId> peerId() {
        return first(Protocol.P2P).map(c -> new PeerId(c.value));
    }

    /** The thread id of the first {@code /thread} component. */
    public Optional<ThreadId> threadId() {
        return first(Protocol.THREAD).map(c -> ThreadId.decode(c.value));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Composition

    /** This multiaddr followed by {@code other}. */
    public Multiaddr encapsulate(Multiaddr other) {
        if (other == null) {
            throw new InvalidInputException("multiaddr: missing multiaddr to encapsulate");
        }
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        List<Component> all = new ArrayList<>(components);
        all.addAll(other.components);
        return of(all);
    }

    /** This multiaddr followed by one more component. */
    public Multiaddr encapsulate(Component component) {
        if (component == null) {
            throw new InvalidInputException("multiaddr: missing component to encapsulate");
        }
        return encapsulate(of(component));
    }

    /**
     * Everything before the last occurrence of {@code suffix} (as a run of whole components); this multiaddr
     * itself if {@code suffix} is empty or does not occur. May return the empty multiaddr.
     */
    public Multiaddr decapsulate(Multiaddr suffix) {
        if (suffix == null) {
            throw new InvalidInputException("multiaddr: missing multiaddr to decapsulate");
        }
        int k = suffix.components.size();
        if (k == 0) {
            return this;
        }
        for (int i = components.size() - k; i >= 0; i--) {
            if (components.subList(i, i + k).equals(suffix.components)) {
                return prefix(i);
            }
        }
        return this;
    }

    /**
     * Everything before the last component with {@code protocol}; this multiaddr itself if there is none.
     * May return the empty multiaddr.
     */
    public Multiaddr decapsulate(Protocol protocol) {
        for (int i = components.size() - 1; i >= 0; i--) {
            if (components.get(i).protocol == protocol) {
                return prefix(i);
            }
        }
        return this;
    }

    /** Everything before the last component with multicodec {@code code}; this multiaddr if there is none. */
    public Multiaddr decapsulate(int code) {
        return Protocol.forCode(code).map(this::decapsulate).orElse(this);
    }

    private Multiaddr prefix(int n) {
        return n == components.size() ? this : of(components.subList(0, n));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Object

    /** The text form; {@code ""} for the empty multiaddr. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Component c : components) {
            sb.append(c);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Multiaddr m && Arrays.equals(m.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Orders by binary form, unsigned. */
    @Override
    public int compareTo(Multiaddr o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Values

    private static void checkValue(Protocol p, byte[] v) {
        switch (p) {
            case IP4, IP6, TCP, UDP -> {
                if (v.length != p.size) {
                    throw new InvalidInputException(p.protocolName + " value must be " + p.size + " bytes, got " + v.length);
                }
            }
            case DNS, DNS4, DNS6, DNSADDR -> dnsName(v);
            case P2P -> new PeerId(v);
            case THREAD -> ThreadId.decode(v);
            default -> {
                if (v.length != 0) {
                    throw new InvalidInputException(p.protocolName + " takes no value");
                }
            }
        }
    }

    private static byte[] parseValue(Protocol p, String s) {
        return switch (p) {
            case IP4 -> parseIp4(s);
            case IP6 -> parseIp6(s);
            case TCP, UDP -> parsePort(s);
            case DNS, DNS4, DNS6, DNSADDR -> {
                byte[] v = utf8(s);
                dnsName(v);
                yield v;
            }
            case P2P -> PeerId.parse(s).bytes();
            case THREAD -> ThreadId.parse(s).bytes();
            default -> throw new IllegalStateException(p + " takes no value");
        };
    }

    private static String formatValue(Protocol p, byte[] v) {
        return switch (p) {
            case IP4 -> (v[0] & 0xFF) + "." + (v[1] & 0xFF) + "." + (v[2] & 0xFF) + "." + (v[3] & 0xFF);
            case IP6 -> formatIp6(v);
            case TCP, UDP -> Integer.toString(((v[0] & 0xFF) << 8) | (v[1] & 0xFF));
            case DNS, DNS4, DNS6, DNSADDR -> new String(v, StandardCharsets.UTF_8);
            case P2P -> new PeerId(v).toString();
            case THREAD -> ThreadId.decode(v).toString();
            default -> "";
        };
    }

    private static void dnsName(byte[] v) {
        if (v.length == 0) {
            throw new InvalidInputException("empty DNS name");
        }
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(v)).toString();
        } catch (CharacterCodingException e) {
            throw new InvalidInputException("DNS name is not valid UTF-8", e);
        }
        if (name.indexOf('/') >= 0) {
            throw new InvalidInputException("DNS name contains '/'");
        }
    }

    private static byte[] utf8(String s) {
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new InvalidInputException("not valid Unicode text", e);
        }
    }

    private static byte[] parsePort(String s) {
        if (s.isEmpty() || s.length() > 5) {
            throw new InvalidInputException("port must be a number from 0 to 65535");
        }
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new InvalidInputException("port must be a number from 0 to 65535");
            }
            n = n * 10 + (c - '0');
        }
        if (n > 65535) {
            throw new InvalidInputException("port " + n + " is larger than 65535");
        }
        return new byte[] {(byte) (n >>> 8), (byte) n};
    }

    /** Strict dotted-quad: four decimal octets 0..255 without leading zeros. */
    private static byte[] parseIp4(String s) {
        byte[] out = new byte[4];
        if (!parseIp4Into(s, out, 0)) {
            throw new InvalidInputException("malformed IPv4 address");
        }
        return out;
    }

    private static boolean parseIp4Into(String s, byte[] out, int offset) {
        int octet = 0;
        int pos = 0;
        int len = s.length();
        while (octet < 4) {
            int start = pos;
            int value = 0;
            while (pos < len && pos - start < 4 && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                value = value * 10 + (s.charAt(pos) - '0');
                pos++;
            }
            int digits = pos - start;
            if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && s.charAt(start) == '0')) {
                return false;
            }
            out[offset + octet++] = (byte) value;
            if (octet < 4) {
                if (pos >= len || s.charAt(pos) != '.') {
                    return false;
                }
                pos++;
            }
        }
        return pos == len;
    }

    /** Any valid RFC 4291 text form (with at most one {@code ::} and an optional trailing dotted quad), no zone. */
    private static byte[] parseIp6(String s) {
        byte[] out = new byte[16];
        int dbl = s.indexOf("::");
        if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
            throw new InvalidInputException("malformed IPv6 address (more than one '::')");
        }
        String head = dbl < 0 ? s : s.substring(0, dbl);
        String tail = dbl < 0 ? "" : s.substring(dbl + 2);
        byte[] headBytes = new byte[16];
        byte[] tailBytes = new byte[16];
        int headLen = ip6Groups(head, headBytes, dbl < 0);
        int tailLen = ip6Groups(tail, tailBytes, true);
        if (dbl < 0) {
            if (headLen != 16) {
                throw new InvalidInputException("malformed IPv6 address (need 8 groups)");
            }
            return headBytes;
        }
        if (headLen + tailLen > 14) {
            throw new InvalidInputException("malformed IPv6 address (too many groups with '::')");
        }
        System.arraycopy(headBytes, 0, out, 0, headLen);
        System.arraycopy(tailBytes, 0, out, 16 - tailLen, tailLen);
        return out;
    }

    /**
     * Parses colon-separated hex groups (possibly ending in a dotted quad if {@code ip4Allowed}) into
     * {@code out}; returns the number of bytes. An empty string is zero groups.
     */
    private static int ip6Groups(String s, byte[] out, boolean ip4Allowed) {
        if (s.isEmpty()) {
            return 0;
        }
        String[] groups = s.split(":", -1);
        int n = 0;
        for (int g = 0; g < groups.length; g++) {
            String grp = groups[g];
            if (g == groups.length - 1 && ip4Allowed && grp.indexOf('.') >= 0) {
                if (n + 4 > 16 || !parseIp4Into(grp, out, n)) {
                    throw new InvalidInputException("malformed IPv6 address (bad embedded IPv4)");
                }
                n += 4;
                continue;
            }
            if (grp.isEmpty() || grp.length() > 4) {
                throw new InvalidInputException("malformed IPv6 address (bad group " + quote(grp) + ")");
            }
            int v = 0;
            for (int i = 0; i < grp.length(); i++) {
                int d = Character.digit(grp.charAt(i), 16);
                if (d < 0 || grp.charAt(i) > 'f') {
                    throw new InvalidInputException("malformed IPv6 address (bad group " + quote(grp) + ")");
                }
                v = (v << 4) | d;
            }
            if (n + 2 > 16) {
                throw new InvalidInputException("malformed IPv6 address (too many groups)");
            }
            out[n++] = (byte) (v >>> 8);
            out[n++] = (byte) v;
        }
        return n;
    }

    /** RFC 5952: lower-case hex, no leading zeros, the longest (first) run of two or more zero groups as {@code ::}. */
    private static String formatIp6(byte[] v) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((v[2 * i] & 0xFF) << 8) | (v[2 * i + 1] & 0xFF);
        }
        if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xFFFF) {
            return "::ffff:" + (v[12] & 0xFF) + "." + (v[13] & 0xFF) + "." + (v[14] & 0xFF) + "." + (v[15] & 0xFF);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        int n = Math.min(s.length(), 80);
        for (int i = 0; i < n; i++) {
            sb.append(Multibase.printable(s.charAt(i)));
        }
        if (s.length() > n) {
            sb.append('…');
        }
        return sb.append('"').toString();
    }
}
