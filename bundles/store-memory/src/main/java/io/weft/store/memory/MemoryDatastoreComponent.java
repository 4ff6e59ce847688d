package io.weft.store.memory;

import io.weft.api.store.Datastore;
import io.weft.api.store.SharedDatastore;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The OSGi service: a {@link MemoryDatastore} registered as {@link Datastore} with {@code weft.store=memory}.
 * A thin adapter. The component is immediate, so the data lives as long as the component is active (not just
 * while some consumer holds the service); each activation starts with an empty store, which deactivation
 * discards.
 *
 * <p>The framework owns the store's lifecycle, because the service is shared: {@link #close()} called by a
 * consumer does nothing ({@link SharedDatastore}).
 */
@Component(service = Datastore.class, property = "weft.store=" + MemoryDatastore.ENGINE, immediate = true)
public final class MemoryDatastoreComponent extends SharedDatastore {

    private final MemoryDatastore store = new MemoryDatastore();

    /** Creates the component with an empty store (called by the framework). */
    public MemoryDatastoreComponent() {
    }

    @Deactivate
    void deactivate() {
        closeEngine();
    }

    @Override
    protected Datastore engineStore() {
        return store;
    }
}
