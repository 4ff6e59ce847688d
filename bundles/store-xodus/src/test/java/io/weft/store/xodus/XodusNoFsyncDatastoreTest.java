package io.weft.store.xodus;

import io.weft.api.store.Datastore;
import io.weft.api.store.DatastoreConformanceTest;
import java.nio.file.Path;

/**
 * The conformance suite against {@link XodusDatastore} with {@code fsync=false}: commits are written to the
 * OS on commit but not forced to disk, so they survive a process crash and a clean reopen.
 */
class XodusNoFsyncDatastoreTest extends DatastoreConformanceTest {

    @Override
    protected Datastore open(Path dir) {
        return new XodusDatastore(dir, new XodusOptions(false, true, 25, 16));
    }

    @Override
    protected boolean durable() {
        return true;
    }
}
