package io.weft.store.xodus;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the Xodus store service (PID {@code io.weft.store.xodus}). The property names are the
 * {@link XodusOptions} keys plus {@code directory}.
 */
@ObjectClassDefinition(name = "Weft Xodus store", description = "The embedded, durable Datastore (JetBrains Xodus)")
public @interface XodusConfig {

    /** The configuration PID. */
    String PID = "io.weft.store.xodus";

    @AttributeDefinition(description = "Directory of the store's files; empty means <weft.repo>/store if the "
            + "weft.repo system property is set, else ~/.weft/store")
    String directory() default "";

    @AttributeDefinition(description = "Force every commit to disk before it returns (fsync)")
    boolean fsync() default true;

    @AttributeDefinition(description = "Run Xodus' background log garbage collector")
    boolean gcEnabled() default true;

    @AttributeDefinition(description = "Share of the maximum heap (1-90 percent) for Xodus' log cache, "
            + "shared by every Xodus store in the JVM", min = "1", max = "90")
    int cacheMemoryPercent() default 25;

    @AttributeDefinition(description = "Most entries in one B+tree page (16-1024); small pages make small commits")
    int treePageSize() default 16;
}
