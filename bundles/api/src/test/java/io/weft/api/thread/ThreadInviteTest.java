package io.weft.api.thread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.api.InvalidInputException;
import io.weft.api.format.Multiaddr;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThreadInviteTest {
    private static final String PEER = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";
    private final ThreadId thread = ThreadId.newRandom();
    private final ThreadKey key = ThreadKey.generate(true);

    private Multiaddr addr(String transport) {
        return Multiaddr.parse(transport + "/p2p/" + PEER + "/thread/" + thread);
    }

    @Test
    void textRoundTripsWithSeveralAddresses() {
        ThreadInvite invite = new ThreadInvite(List.of(addr("/ip4/10.0.0.1/tcp/4006"), addr("/ip6/::1/tcp/4006")), key);
        ThreadInvite parsed = ThreadInvite.parse("  " + invite.text() + "\n");
        assertEquals(invite, parsed);
        assertEquals(thread, parsed.threadId());
        assertEquals(List.of(PeerId.parse(PEER)), parsed.peers());
        assertTrue(parsed.canRead());
    }

    @Test
    void toStringNeverShowsTheKeys() {
        ThreadInvite invite = new ThreadInvite(List.of(addr("/ip4/10.0.0.1/tcp/4006")), key);
        assertFalse(invite.toString().contains(key.toString()));
        assertFalse(invite.toString().contains(key.serviceOnly().toString()));
        assertTrue(invite.text().endsWith("#" + key));
    }

    @Test
    void replicaInviteCarriesTheServiceKeyOnly() {
        ThreadInvite replica = new ThreadInvite(List.of(addr("/ip4/10.0.0.1/tcp/4006")), key).replicaOnly();
        assertFalse(replica.canRead());
        assertEquals(key.serviceOnly(), ThreadInvite.parse(replica.text()).key());
    }

    @Test
    void malformedInvitesAreRefusedWithoutEchoingTheKey() {
        String k = key.toString();
        assertThrows(InvalidInputException.class, () -> ThreadInvite.parse(addr("/ip4/1.2.3.4/tcp/1").toString()));
        assertThrows(InvalidInputException.class, () -> ThreadInvite.parse("#" + k));
        assertThrows(InvalidInputException.class, () -> ThreadInvite.parse("/ip4/1.2.3.4/tcp/1/p2p/" + PEER + "#" + k));
        assertThrows(InvalidInputException.class, () -> ThreadInvite.parse("/ip4/1.2.3.4/tcp/1/thread/" + thread + "#" + k));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ThreadInvite.parse(addr("/ip4/1.2.3.4/tcp/1") + "#" + k.substring(0, 20) + "!"));
        assertFalse(e.getMessage().contains(k.substring(0, 20)));
        String other = Multiaddr.parse("/ip4/1.2.3.4/tcp/1/p2p/" + PEER + "/thread/" + ThreadId.newRandom()).toString();
        assertThrows(InvalidInputException.class, () -> ThreadInvite.parse(addr("/ip4/1.2.3.4/tcp/1") + "," + other + "#" + k));
        assertThrows(InvalidInputException.class, () -> ThreadInvite.parse("x".repeat(ThreadInvite.MAX_TEXT_LENGTH + 1)));
        assertThrows(InvalidInputException.class, () -> ThreadInvite.parse(null));
    }
}
