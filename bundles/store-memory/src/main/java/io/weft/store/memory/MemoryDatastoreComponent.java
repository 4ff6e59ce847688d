package io.weft.store.memory;

import io.weft.api.store.Datastore;
import io.weft.api.store.ReadTxn;
import io.weft.api.store.WriteTxn;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The OSGi service: a {@link MemoryDatastore} registered as {@link Datastore} with {@code weft.store=memory}.
 * A thin adapter. The component is immediate, so the data lives as long as the component is active (not just
 * while some consumer holds the service); each activation starts with an empty store, which deactivation
 * discards.
 *
 * <p>The framework owns the store's lifecycle, because the service is shared: {@link #close()} called by a
 * consumer does nothing.
 */
@Component(service = Datastore.class, property = "weft.store=" + MemoryDatastore.ENGINE, immediate = true)
public final class MemoryDatastoreComponent implements Datastore {

    private final MemoryDatastore store = new MemoryDatastore();

    /** Creates the component with an empty store (called by the framework). */
    public MemoryDatastoreComponent() {
    }

    @Deactivate
    void deactivate() {
        store.close();
    }

    @Override
    public String engine() {
        return store.engine();
    }

    @Override
    public ReadTxn beginRead() {
        return store.beginRead();
    }

    @Override
    public WriteTxn beginWrite() {
        return store.beginWrite();
    }

    /** Does nothing: the store is closed when the component is deactivated. */
    @Override
    public void close() {
    }
}
