package io.weft.api.store;

import java.nio.file.Path;
import java.util.Map;

/**
 * Opens {@link Datastore}s of one engine outside OSGi: apps that embed Weft find providers with
 * {@link java.util.ServiceLoader} and pick one by {@link #engine()}.
 */
public interface DatastoreProvider {

    /** The engine's name, as in the {@code weft.store} service property ({@code xodus}, {@code memory}). */
    String engine();

    /**
     * Opens (creating if needed) a store in {@code directory}, which an in-memory engine ignores.
     * {@code options} are the engine's documented configuration keys; unknown keys are rejected with
     * {@code InvalidInputException}.
     */
    Datastore open(Path directory, Map<String, String> options);
}
