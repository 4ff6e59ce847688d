package io.weft.db.component;

import io.weft.db.DbConfig;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the database manager component, PID {@value #PID}. See docs/database.md. */
@ObjectClassDefinition(name = "Weft database", description = "Document database manager: limits, codec, listeners, databases to join")
public @interface DbComponentConfig {
    /** The configuration PID. */
    String PID = "io.weft.db";

    /** Default target filter of the {@code Datastore} reference; it must select the log service's store. */
    String DEFAULT_DATASTORE_TARGET = "(weft.store=xodus)";

    @AttributeDefinition(name = "Datastore filter",
            description = "LDAP filter selecting the Datastore service; must be the store the LogService writes to")
    String datastore_target() default DEFAULT_DATASTORE_TARGET;

    @AttributeDefinition(name = "Codec", description = "Event codec (weft.codec) of new databases")
    String codec() default DbConfig.DEFAULT_CODEC;

    @AttributeDefinition(name = "Largest instance (bytes)", description = "Compact JSON size limit of one instance")
    int max_document_bytes() default DbConfig.DEFAULT_MAX_DOCUMENT_BYTES;

    @AttributeDefinition(name = "Change log retention", description = "Latest changes kept per database for resuming listeners")
    long change_log_retention() default DbConfig.DEFAULT_CHANGE_LOG_RETENTION;

    @AttributeDefinition(name = "Maximum clock skew (ms)",
            description = "How far ahead of the local clock a remote event time may advance the hybrid logical clock")
    long max_clock_skew_millis() default DbConfig.DEFAULT_MAX_CLOCK_SKEW_MILLIS;

    @AttributeDefinition(name = "Listener batch size", description = "Changes read per change log read by a listener")
    int listener_batch_size() default DbConfig.DEFAULT_LISTENER_BATCH_SIZE;

    @AttributeDefinition(name = "Schema cache size", description = "Compiled JSON schemas kept in memory")
    int schema_cache_size() default DbConfig.DEFAULT_SCHEMA_CACHE_SIZE;

    @AttributeDefinition(name = "Databases to join",
            description = "Entries <name>=<invite>: each database not here yet is joined in the background once the"
                    + " network (ThreadService) is available")
    String[] join() default {};
}
