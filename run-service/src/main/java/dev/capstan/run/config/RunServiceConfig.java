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

    /**
     * How deep sub-workflows may nest (a top-level run's child is at depth 1); a deeper call fails its node with
     * {@code subworkflow_depth_exceeded}, which also stops a workflow that calls itself.
     */
    @WithDefault("8")
    int maxSubWorkflowDepth();

    /** Whether this replica consumes node results (off only for tests that drive the engine directly). */
    @WithDefault("true")
    boolean consumeResults();

    /** Whether streams and polls on this replica are woken by other replicas' commits (via the run-events topic). */
    @WithDefault("true")
    boolean eventFanIn();

    LocalNodes localNodes();

    /**
     * Local nodes, like Temporal's local activities: short nodes of the listed types run in the replica that owns
     * the run, and their outcome is committed with the run's next step, so a run of quick HTTP calls costs no
     * Kafka hop per node. The dispatch still goes into the outbox, leased: if this replica dies mid-node, the
     * lease runs out and the executors run it (same invocation id, so side-effecting calls carry the same
     * {@code Idempotency-Key}). Nodes that name secrets, that may run long, or any node when too many are in
     * flight go to the executors.
     */
    interface LocalNodes {

        @WithDefault("true")
        boolean enabled();

        @WithDefault("core.noop,core.identity,core.setVariable,core.getVariable,core.conditional,core.merge,core.fail,"
                + "core.http.request,core.http,osop.api")
        java.util.List<String> types();

        /** A node whose timeout is longer than this runs on the executors. */
        @WithDefault("60s")
        Duration maxTimeout();

        /** How long the outbox keeps a local dispatch from the executors; longer than {@link #maxTimeout()}. */
        @WithDefault("5m")
        Duration lease();

        @WithDefault("512")
        int maxInFlight();

        /** Loopback, private and metadata addresses for every tenant's HTTP nodes (tests, trusted installs). */
        @WithDefault("false")
        boolean allowPrivateTargets();

        /** Tenants whose policy allows private HTTP targets; the same policy as the executors'. */
        java.util.Optional<java.util.List<String>> privateTargetTenants();

        /** On shutdown, how long in-flight local nodes may take before their dispatches are handed to the executors. */
        @WithDefault("10s")
        Duration shutdownGrace();
    }
}
