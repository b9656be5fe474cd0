package dev.capstan.workflow.model;

/**
 * How often and how soon a failed node is tried again. {@code maxRetries} counts retries, not attempts
 * (0 = run once). Delay for retry n (1-based) is {@code initialDelayMs} for FIXED and
 * {@code initialDelayMs * multiplier^(n-1)} capped at {@code maxDelayMs} for EXPONENTIAL.
 */
public record RetryPolicy(int maxRetries, Backoff backoff, long initialDelayMs, double multiplier, long maxDelayMs) {

    public enum Backoff { FIXED, EXPONENTIAL }

    public static final RetryPolicy NONE = new RetryPolicy(0, Backoff.FIXED, 0, 1.0, 0);

    public RetryPolicy {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0");
        }
        if (initialDelayMs < 0) {
            throw new IllegalArgumentException("initialDelayMs must be >= 0");
        }
        multiplier = multiplier < 1.0 ? 1.0 : multiplier;
        maxDelayMs = maxDelayMs <= 0 ? Long.MAX_VALUE : maxDelayMs;
    }

    public static RetryPolicy fixed(int maxRetries, long delayMs) {
        return new RetryPolicy(maxRetries, Backoff.FIXED, delayMs, 1.0, 0);
    }

    public static RetryPolicy exponential(int maxRetries, long initialDelayMs, double multiplier, long maxDelayMs) {
        return new RetryPolicy(maxRetries, Backoff.EXPONENTIAL, initialDelayMs, multiplier, maxDelayMs);
    }

    /** Delay before retry number {@code retry} (1-based). */
    public long delayBeforeRetry(int retry) {
        if (backoff == Backoff.FIXED || retry <= 1) {
            return Math.min(initialDelayMs, maxDelayMs);
        }
        double d = initialDelayMs * Math.pow(multiplier, retry - 1);
        return d >= maxDelayMs ? maxDelayMs : (long) d;
    }
}
