package dev.capstan.run.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Signed interrupt tokens ({@code /v1/interrupts/{token}}): the HMAC secret and lifetimes. Every replica must have
 * the same secret, or a token minted on one is refused by another.
 */
@ConfigMapping(prefix = "capstan.run.interrupt-tokens")
public interface InterruptTokenConfig {

    /** Signs new tokens and verifies them (32+ characters); env {@code CAPSTAN_INTERRUPT_TOKEN_SECRET}. */
    String secret();

    /** Secrets of earlier rotations, still accepted when verifying (never used to sign), so tokens outlive a rotation. */
    Optional<List<String>> previousSecrets();

    /** Lifetime of a token when the request names none (OpenWOP recommends 30 minutes). */
    @WithDefault("30m")
    Duration defaultTtl();

    /** The longest lifetime a request may ask for; a token never outlives its interrupt's own timeout either. */
    @WithDefault("7d")
    Duration maxTtl();
}
