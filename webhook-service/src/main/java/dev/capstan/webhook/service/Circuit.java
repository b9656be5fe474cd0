package dev.capstan.webhook.service;

import java.time.Instant;

/**
 * An endpoint's circuit breaker, derived from its stored counters: closed below the failure threshold; open
 * from the threshold until {@code openUntil}; half-open after that, when the next event is sent as a probe
 * (which re-arms the open period, so concurrent events are skipped while it is out). A successful attempt closes
 * it; a failed probe opens it again.
 */
public enum Circuit {
    CLOSED, OPEN, HALF_OPEN;

    public static Circuit of(int consecutiveFailures, Instant openUntil, int threshold, Instant now) {
        if (consecutiveFailures < threshold) {
            return CLOSED;
        }
        return openUntil != null && now.isBefore(openUntil) ? OPEN : HALF_OPEN;
    }

    /** Lowercase, for metric tags and logs. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
