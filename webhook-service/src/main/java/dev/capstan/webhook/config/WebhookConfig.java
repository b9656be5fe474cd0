package dev.capstan.webhook.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Webhook registration and delivery settings. */
@ConfigMapping(prefix = "capstan.webhook")
public interface WebhookConfig {

    /**
     * Whether endpoints on loopback, private, link-local or metadata addresses (and plain http) may be
     * registered and delivered to. Off in production (SSRF); local development and tests turn it on.
     */
    @WithDefault("false")
    boolean allowPrivateTargets();

    Delivery delivery();

    Breaker breaker();

    Consumer consumer();

    Retention retention();

    interface Delivery {
        /** The whole attempt (connect, send, response head and body); OpenWOP v1 says 5 s. */
        @WithDefault("5s")
        Duration timeout();

        /** The {@code {version}} of {@code User-Agent: openwop-webhook-dispatcher/{version}}. */
        @WithDefault("${quarkus.application.version:dev}")
        String dispatcherVersion();

        /** Deliveries of one poll in flight at once (events of different runs; one run's events go in order). */
        @WithDefault("16")
        int concurrency();

        /**
         * How long a tenant's active subscriptions are reused between records. Every run event passes through
         * here, so a tenant without webhooks must cost no query per record; a subscription registered on another
         * replica starts receiving within this time (on the same replica at once).
         */
        @WithDefault("2s")
        Duration subscriptionCacheTtl();
    }

    interface Breaker {
        /** Consecutive failures that open an endpoint's circuit. */
        @WithDefault("4")
        int failureThreshold();

        /** How long an open circuit skips deliveries before one event probes (half-open). */
        @WithDefault("1h")
        Duration openDuration();

        /** Failures within {@link #failureWindow()} that mark the subscription {@code failed} for good. */
        @WithDefault("100")
        int failureLimit();

        @WithDefault("7d")
        Duration failureWindow();
    }

    interface Consumer {
        /** The consumer group all webhook-service replicas share on {@code capstan.run.events}. */
        @WithDefault("webhook-service")
        String group();

        @WithDefault("200")
        int maxPollRecords();
    }

    interface Retention {
        /** How long delivery records (the dedup keys) are kept; never less than the failure window. */
        @WithDefault("30d")
        Duration deliveries();

        /** How long a run's tags are kept when its terminal event is never seen. */
        @WithDefault("30d")
        Duration runs();

        @WithDefault("1h")
        Duration purgeInterval();
    }
}
