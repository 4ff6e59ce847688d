package io.weft.api.db;

/**
 * Selects changes for a listener (threads API {@code ListenRequest.Filter}); {@code null} fields match anything.
 * A listener with several filters receives a change if any filter matches (as in go-threads); a listener without
 * filters receives every change.
 *
 * @param collection the collection name, or {@code null} for any
 * @param instanceId the instance id, or {@code null} for any
 * @param type       the change type, or {@code null} for any
 */
public record ListenFilter(String collection, String instanceId, ChangeType type) {
    /** Matches every change. */
    public static final ListenFilter ALL = new ListenFilter(null, null, null);

    /** Every change in {@code collection}. */
    public static ListenFilter collection(String collection) {
        return new ListenFilter(collection, null, null);
    }

    /** Whether {@code change} passes this filter. */
    public boolean matches(Change change) {
        return (collection == null || collection.equals(change.collection()))
                && (instanceId == null || instanceId.equals(change.instanceId()))
                && (type == null || type == change.type());
    }
}
