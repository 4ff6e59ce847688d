package io.weft.logstore;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the logstore components, PID {@code io.weft.logstore} (shared by the {@code Logstore} and
 * {@code LogService} components).
 */
@ObjectClassDefinition(name = "Weft logstore", description = "Keys, addresses, heads, metadata and records of threads")
public @interface LogstoreConfig {
    /** The configuration PID. */
    String PID = "io.weft.logstore";

    /** Default target filter of the {@code Datastore} reference. */
    String DEFAULT_DATASTORE_TARGET = "(weft.store=xodus)";

    /** Property {@code datastore.target}: the LDAP filter that selects the {@code Datastore} service to use. */
    @AttributeDefinition(name = "Datastore filter", description = "LDAP filter selecting the Datastore service, e.g. (weft.store=memory)")
    String datastore_target() default DEFAULT_DATASTORE_TARGET;

    /** Property {@code addr.gc.interval.seconds}: how often expired addresses are purged; 0 disables the job. */
    @AttributeDefinition(name = "Address purge interval (s)", description = "How often expired log addresses are removed; 0 disables")
    long addr_gc_interval_seconds() default 7200;

    /** Property {@code addr.gc.initial.delay.seconds}: delay of the first purge after activation. */
    @AttributeDefinition(name = "First address purge delay (s)")
    long addr_gc_initial_delay_seconds() default 60;
}
