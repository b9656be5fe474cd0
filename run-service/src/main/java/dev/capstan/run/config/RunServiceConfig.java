package dev.capstan.run.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the run engine. */
@ConfigMapping(prefix = "capstan.run")
public interface RunServiceConfig {

    /** Kafka consumer group of the replicas that apply node results. */
    @WithDefault("capstan-run-service")
    String resultsGroup();

    /** How often due timers are looked for (timers set by this replica also fire on their own). */
    @WithDefault("250ms")
    Duration timerPollInterval();

    /** Outbox rows older than this are assumed orphaned by a stopped replica and republished. */
    @WithDefault("5s")
    Duration outboxOrphanAge();

    /**
     * A tenant to seed with the OpenWOP conformance fixtures at start-up (registered once, as version 1),
     * so the official conformance suite can run against the platform. The local platform seeds its demo tenant.
     */
    java.util.Optional<String> seedFixturesTenant();

    /** Whether this replica consumes node results (off only for tests that drive the engine directly). */
    @WithDefault("true")
    boolean consumeResults();
}
