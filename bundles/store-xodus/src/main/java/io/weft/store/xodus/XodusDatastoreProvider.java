package io.weft.store.xodus;

import io.weft.api.store.Datastore;
import io.weft.api.store.DatastoreProvider;
import java.nio.file.Path;
import java.util.Map;

/**
 * Opens {@link XodusDatastore}s outside OSGi ({@link java.util.ServiceLoader} entry point, engine
 * {@code xodus}). Accepted options are exactly the {@link XodusOptions} keys ({@code fsync},
 * {@code gcEnabled}, {@code cacheMemoryPercent}); anything else is an {@code InvalidInputException}.
 */
public final class XodusDatastoreProvider implements DatastoreProvider {

    /** Used by {@link java.util.ServiceLoader}. */
    public XodusDatastoreProvider() {
    }

    @Override
    public String engine() {
        return XodusDatastore.ENGINE;
    }

    @Override
    public Datastore open(Path directory, Map<String, String> options) {
        return new XodusDatastore(directory, XodusOptions.parse(options));
    }
}
