package dev.capstan.webhook.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Webhook delivery settings. */
@ConfigMapping(prefix = "capstan.webhook")
public interface WebhookConfig {

    /**
     * Whether endpoints on loopback, private, link-local or metadata addresses (and plain http) may be
     * registered. Off in production (SSRF); local development and tests turn it on.
     */
    @WithDefault("false")
    boolean allowPrivateTargets();
}
