package io.weft.api.store;

/**
 * A {@link Datastore} handed to many users (an OSGi service, say) that forwards to the engine its owner opened.
 * Users' {@link #close()} does nothing; the owner closes the engine with {@link #closeEngine()} when it is done
 * (a DS component on deactivation).
 */
public abstract class SharedDatastore implements Datastore {

    /** The engine all calls go to. */
    protected abstract Datastore engineStore();

    @Override
    public String engine() {
        return engineStore().engine();
    }

    @Override
    public ReadTxn beginRead() {
        return engineStore().beginRead();
    }

    @Override
    public WriteTxn beginWrite() {
        return engineStore().beginWrite();
    }

    /** Does nothing: the store is shared, and its owner closes it with {@link #closeEngine()}. */
    @Override
    public final void close() {
    }

    /** Closes the engine: for the owner only. */
    protected void closeEngine() {
        engineStore().close();
    }
}
