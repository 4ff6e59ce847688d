package io.weft.client;

import io.weft.api.InvalidInputException;
import io.weft.api.WeftException;
import io.weft.api.format.Multiaddr;

/** A peer API address: host and port, parsed from {@code host:port}, {@code [v6]:port}, a bare host or a multiaddr. */
record HostPort(String host, int port) {
    static final int DEFAULT_PORT = 6006;

    static HostPort parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidInputException("the peer address is empty (expected host:port, e.g. 127.0.0.1:6006)");
        }
        String t = text.strip();
        if (t.startsWith("/")) {
            return fromMultiaddr(t);
        }
        String host;
        String port = null;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0) {
                throw bad(t);
            }
            host = t.substring(1, close);
            String rest = t.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw bad(t);
                }
                port = rest.substring(1);
            }
        } else {
            int colon = t.lastIndexOf(':');
            if (colon >= 0 && t.indexOf(':') != colon) {
                host = t; // a bare IPv6 address
            } else if (colon >= 0) {
                host = t.substring(0, colon);
                port = t.substring(colon + 1);
            } else {
                host = t;
            }
        }
        if (host.isEmpty()) {
            throw bad(t);
        }
        return new HostPort(host, port == null ? DEFAULT_PORT : port(port, t));
    }

    private static HostPort fromMultiaddr(String t) {
        Multiaddr m;
        try {
            m = Multiaddr.parse(t);
        } catch (WeftException e) {
            throw new InvalidInputException("the peer address " + t + " is not a valid multiaddr: " + e.getMessage());
        }
        String host = null;
        for (Multiaddr.Protocol p : new Multiaddr.Protocol[] {Multiaddr.Protocol.IP4, Multiaddr.Protocol.IP6,
                Multiaddr.Protocol.DNS4, Multiaddr.Protocol.DNS6, Multiaddr.Protocol.DNS}) {
            if (host == null && m.value(p).isPresent()) {
                host = m.value(p).get();
            }
        }
        String port = m.value(Multiaddr.Protocol.TCP).orElse(null);
        if (host == null || port == null) {
            throw new InvalidInputException("the peer address " + t + " needs an ip4, ip6 or dns part and a tcp port");
        }
        return new HostPort(host, port(port, t));
    }

    private static int port(String p, String whole) {
        try {
            int v = Integer.parseInt(p);
            if (v >= 1 && v <= 65535) {
                return v;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new InvalidInputException("the peer address " + whole + " has an invalid port " + p + " (1..65535)");
    }

    private static InvalidInputException bad(String t) {
        return new InvalidInputException("the peer address " + t + " is not host:port (e.g. 127.0.0.1:6006)");
    }

    static String format(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
