package io.weft.store.memory;

import io.weft.api.InvalidInputException;
import io.weft.api.store.Datastore;
import io.weft.api.store.DatastoreProvider;
import java.nio.file.Path;
import java.util.Map;

/**
 * Opens {@link MemoryDatastore}s outside OSGi ({@link java.util.ServiceLoader} entry point, engine
 * {@code memory}). The directory is ignored and the engine has no options: any option key is rejected.
 */
public final class MemoryDatastoreProvider implements DatastoreProvider {

    /** Used by {@link java.util.ServiceLoader}. */
    public MemoryDatastoreProvider() {
    }

    @Override
    public String engine() {
        return MemoryDatastore.ENGINE;
    }

    @Override
    public Datastore open(Path directory, Map<String, String> options) {
        if (options != null && !options.isEmpty()) {
            String key = options.keySet().stream().sorted().findFirst().orElseThrow();
            throw new InvalidInputException("unknown option '" + key + "' for the memory store, which takes no options");
        }
        return new MemoryDatastore();
    }
}
