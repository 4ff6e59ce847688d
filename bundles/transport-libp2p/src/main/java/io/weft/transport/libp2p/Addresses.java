package io.weft.transport.libp2p;

import io.weft.api.InvalidInputException;
import io.weft.api.format.Multiaddr;
import io.weft.api.format.Multiaddr.Protocol;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Conversions between TCP multiaddrs and socket addresses. */
final class Addresses {

    private Addresses() {
    }

    /**
     * The socket address of {@code /ip4|ip6|dns|dns4|dns6/…/tcp/N[/p2p/…]}; DNS names are resolved here (blocking).
     *
     * @throws InvalidInputException if it is not a TCP address or the name does not resolve
     */
    static InetSocketAddress toSocketAddress(Multiaddr address) {
        List<Multiaddr.Component> parts = address.components();
        if (parts.size() < 2 || parts.get(1).protocol() != Protocol.TCP) {
            throw new InvalidInputException("not a TCP multiaddr (expected /ip4|ip6|dns4|dns6|dns/…/tcp/port): " + address);
        }
        int port = Integer.parseInt(parts.get(1).valueString());
        Multiaddr.Component host = parts.get(0);
        try {
            return switch (host.protocol()) {
                case IP4, IP6 -> new InetSocketAddress(InetAddress.getByAddress(host.value()), port);
                case DNS -> new InetSocketAddress(InetAddress.getByName(host.valueString()), port);
                case DNS4 -> new InetSocketAddress(pick(host.valueString(), Inet4Address.class), port);
                case DNS6 -> new InetSocketAddress(pick(host.valueString(), Inet6Address.class), port);
                default -> throw new InvalidInputException("not a TCP multiaddr: " + address);
            };
        } catch (UnknownHostException e) {
            throw new InvalidInputException("cannot resolve " + host.valueString() + ": " + e.getMessage());
        }
    }

    private static InetAddress pick(String name, Class<? extends InetAddress> family) throws UnknownHostException {
        for (InetAddress a : InetAddress.getAllByName(name)) {
            if (family.isInstance(a)) {
                return a;
            }
        }
        throw new UnknownHostException(name + " has no " + (family == Inet4Address.class ? "IPv4" : "IPv6") + " address");
    }

    /** The multiaddr {@code /ip4|ip6/…/tcp/port} of a socket address. */
    static Multiaddr toMultiaddr(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        Protocol family = ip instanceof Inet4Address ? Protocol.IP4 : Protocol.IP6;
        byte[] raw = ip.getAddress();
        return Multiaddr.of(Multiaddr.Component.of(family, raw),
                Multiaddr.Component.parse(Protocol.TCP, Integer.toString(address.getPort())));
    }

    /** True if {@code address} starts with a wildcard IP (0.0.0.0 or ::). */
    static boolean isWildcard(Multiaddr address) {
        List<Multiaddr.Component> parts = address.components();
        if (parts.isEmpty()) {
            return false;
        }
        Multiaddr.Component host = parts.get(0);
        if (host.protocol() != Protocol.IP4 && host.protocol() != Protocol.IP6) {
            return false;
        }
        for (byte b : host.value()) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** A wildcard listen address expanded into the addresses of this host's interfaces of the same family. */
    static List<Multiaddr> expandWildcard(Multiaddr bound) {
        if (!isWildcard(bound)) {
            return List.of(bound);
        }
        boolean v4 = bound.components().get(0).protocol() == Protocol.IP4;
        String port = bound.components().get(1).valueString();
        List<Multiaddr> out = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if ((a instanceof Inet4Address) != v4 || a.isLinkLocalAddress()) {
                        continue;
                    }
                    out.add(Multiaddr.of(Multiaddr.Component.of(v4 ? Protocol.IP4 : Protocol.IP6, a.getAddress()),
                            Multiaddr.Component.parse(Protocol.TCP, port)));
                }
            }
        } catch (SocketException e) {
            return List.of(bound);
        }
        out.sort(null);
        return out.isEmpty() ? List.of(bound) : out;
    }
}
