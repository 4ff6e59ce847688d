package io.weft.api.db.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.api.crypto.PublicKey;

/**
 * A per-collection read hook, in Java instead of go-threads' embedded JavaScript: a collection names one in
 * {@link io.weft.api.db.CollectionConfig#readFilter()}, and every instance a read returns passes through it. Register
 * implementations as services with the property {@code weft.filter=<name>}.
 *
 * <p>Queries filter, sort, skip and limit on the stored instances first; the read filter then transforms or hides
 * the returned ones (so a hidden instance makes a page shorter rather than pulling in the next one).
 */
public interface ReadFilter {

    /** The name collections use to refer to this filter. */
    String name();

    /**
     * Returns the instance to show the reader (possibly changed; the argument is a private copy), or {@code null}
     * to hide it.
     *
     * @param reader     the reader's identity (the client a transaction was opened for), or {@code null} for the
     *                   local host
     * @param collection the collection name
     * @param instance   the stored instance (a copy)
     */
    ObjectNode filter(PublicKey reader, String collection, ObjectNode instance);
}
