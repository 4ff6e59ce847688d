package io.weft.server.db;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.weft.api.NotFoundException;
import io.weft.api.crypto.PublicKey;
import io.weft.api.db.Change;
import io.weft.api.db.ChangeType;
import io.weft.api.db.CollectionConfig;
import io.weft.api.db.Database;
import io.weft.api.db.Listener;
import io.weft.api.db.ReadTransaction;
import io.weft.api.db.Subscription;
import io.weft.grpc.pb.ListenReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code Listen} call: the database's changes from the moment of the call, as {@link ListenReply}s, until the
 * client cancels. Changes come from a database {@link Subscription} on its own delivery thread, which waits while the
 * client is not ready for more (so a slow client holds back only its own subscription, which reads the change log at
 * its own pace and never loses a change; memory stays bounded). Instances of a collection with a read filter are
 * read through it on behalf of the caller (an instance it hides is not sent). Changes of the database's internal
 * collections (names starting with {@code _}) are not sent.
 */
final class ListenCall implements Listener {
    private static final Logger LOG = LoggerFactory.getLogger(ListenCall.class);

    private final Database db;
    private final ServerCallStreamObserver<ListenReply> out;
    private final PublicKey reader;
    private final Object ready = new Object();
    private volatile boolean cancelled;
    private volatile Subscription subscription;

    ListenCall(Database db, ServerCallStreamObserver<ListenReply> out, PublicKey reader) {
        this.db = db;
        this.out = out;
        this.reader = reader;
        out.setOnCancelHandler(this::cancel);
        out.setOnReadyHandler(() -> {
            synchronized (ready) {
                ready.notifyAll();
            }
        });
    }

    /** The subscription is registered: it is closed when the call ends. */
    void started(Subscription s) {
        subscription = s;
        if (cancelled) {
            s.close();
        }
    }

    private void cancel() {
        cancelled = true;
        synchronized (ready) {
            ready.notifyAll(); // first: closing waits for a delivery in progress
        }
        Subscription s = subscription;
        if (s != null) {
            s.close();
        }
    }

    /**
     * The subscription ended under the call (the database was deleted, or the peer is stopping): the call ends with
     * {@code NOT_FOUND} or {@code UNAVAILABLE} instead of going quiet.
     */
    @Override
    public void ended(boolean deleted) {
        if (cancelled) {
            return;
        }
        Status status = deleted ? Status.NOT_FOUND.withDescription("database " + db.id() + " was deleted")
                : Status.UNAVAILABLE.withDescription("the database is closing (the peer is stopping)");
        try {
            out.onError(status.asRuntimeException());
        } catch (RuntimeException e) {
            LOG.debug("Listen: the call ended before it could be told: {}", e.toString());
        }
    }

    /** Sends one change, waiting while the client is not ready. */
    @Override
    public void onChange(Change change) {
        if (cancelled || change.collection().startsWith("_")) {
            return;
        }
        ListenReply reply = reply(change);
        if (reply == null) {
            return;
        }
        synchronized (ready) {
            while (!cancelled && !out.isReady()) {
                try {
                    ready.wait(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        if (cancelled) {
            return;
        }
        try {
            out.onNext(reply);
        } catch (RuntimeException e) {
            LOG.debug("Listen: the call ended while sending: {}", e.toString());
            cancel();
        }
    }

    private ListenReply reply(Change change) {
        ListenReply.Builder b = ListenReply.newBuilder()
                .setCollectionName(change.collection())
                .setInstanceID(change.instanceId())
                .setAction(switch (change.type()) {
                    case CREATE -> ListenReply.Action.CREATE;
                    case SAVE -> ListenReply.Action.SAVE;
                    case DELETE -> ListenReply.Action.DELETE;
                });
        if (change.type() != ChangeType.DELETE) {
            ObjectNode instance = change.instance();
            CollectionConfig cfg;
            try {
                cfg = db.collection(change.collection()).config();
            } catch (NotFoundException e) {
                cfg = null; // deleted meanwhile: nothing filters it
            }
            if (cfg != null && cfg.readFilter() != null) {
                try (ReadTransaction t = db.readTransaction(reader)) {
                    instance = t.findById(change.collection(), change.instanceId());
                } catch (NotFoundException e) {
                    return null; // hidden from this reader, or gone since
                } catch (RuntimeException e) {
                    LOG.debug("Listen: instance {}/{} not readable: {}", change.collection(), change.instanceId(),
                            e.toString());
                    return null;
                }
            }
            b.setInstance(WireJson.bytes(instance));
        }
        return b.build();
    }
}
