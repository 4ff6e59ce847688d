package io.weft.net.component;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the thread service, PID {@code io.weft.net} (file {@code conf/io.weft.net.cfg} in the
 * distribution). Defaults match {@code NetConfig.defaults()}; see docs/sync.md.
 */
@ObjectClassDefinition(name = "Weft thread sync", description = "Push, pull, pubsub and limits of thread sync")
public @interface NetSettings {
    /** The configuration PID. */
    String PID = "io.weft.net";

    /** Property {@code pubsub}: publish new records on each thread's topic and accept records from it. */
    @AttributeDefinition(name = "Pubsub")
    boolean pubsub() default true;

    /** Property {@code pull.interval.seconds}: how often each thread is compared with each of its peers. */
    @AttributeDefinition(name = "Pull interval (s)")
    int pull_interval_seconds() default 10;

    /** Property {@code call.timeout.seconds}: deadline of one call to a peer, connecting included. */
    @AttributeDefinition(name = "Call timeout (s)")
    int call_timeout_seconds() default 10;

    /** Property {@code page.records}: records per log per GetRecords page. */
    @AttributeDefinition(name = "Records per page")
    int page_records() default 2000;

    /** Property {@code page.bytes}: bytes of records per GetRecords reply served. */
    @AttributeDefinition(name = "Bytes per page")
    int page_bytes() default 2 * 1024 * 1024;

    /** Property {@code max.message.size}: largest call or reply accepted, bytes. */
    @AttributeDefinition(name = "Maximum message size (bytes)")
    int max_message_size() default 8 * 1024 * 1024;

    /** Property {@code edges.batch}: threads compared per ExchangeEdges call. */
    @AttributeDefinition(name = "Threads per edge exchange")
    int edges_batch() default 100;

    /** Property {@code backoff.max.seconds}: longest pause before calling an unreachable peer again. */
    @AttributeDefinition(name = "Maximum backoff (s)")
    int backoff_max_seconds() default 300;

    /**
     * Property {@code adopt.threads}: accept a thread this peer does not have when a peer announces one of its logs
     * with the thread's service key (lets any peer that holds a service key make this peer its replica).
     */
    @AttributeDefinition(name = "Adopt announced threads")
    boolean adopt_threads() default true;

    /**
     * Property {@code threads}: invites ({@code <addr>[,<addr>…]#<key>}) of threads to join at start if not here
     * yet; a service-key-only invite makes this peer a replica of the thread. Separate several with {@code ;}
     * in a .cfg file (commas are part of an invite; {@code |} is accepted too).
     */
    @AttributeDefinition(name = "Threads to join", required = false)
    String threads() default "";
}
