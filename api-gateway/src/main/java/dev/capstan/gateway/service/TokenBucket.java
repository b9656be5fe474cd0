package dev.capstan.gateway.service;

/**
 * A token bucket: holds up to {@code capacity} tokens, regains {@code refillPerSecond}, and a request
 * takes one. Time is passed in (nanoseconds from any fixed origin) so the arithmetic is testable.
 */
public final class TokenBucket {

    private final double capacity;
    private final double refillPerNano;
    private double tokens;
    private long lastNanos;

    public TokenBucket(long capacity, double refillPerSecond, long nowNanos) {
        if (capacity < 1 || refillPerSecond <= 0) {
            throw new IllegalArgumentException("capacity must be >= 1 and refillPerSecond > 0");
        }
        this.capacity = capacity;
        this.refillPerNano = refillPerSecond / 1_000_000_000d;
        this.tokens = capacity;
        this.lastNanos = nowNanos;
    }

    /** Takes a token: 0 when granted, else how many milliseconds until one is available (at least 1). */
    public synchronized long tryTake(long nowNanos) {
        refill(nowNanos);
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        double missingNanos = (1 - tokens) / refillPerNano;
        return Math.max(1, (long) Math.ceil(missingNanos / 1_000_000d));
    }

    /** Gives back a token taken for a request that another limit then refused. */
    public synchronized void giveBack() {
        tokens = Math.min(capacity, tokens + 1);
    }

    /** Whether the bucket has refilled completely: forgetting it then loses nothing. */
    public synchronized boolean isFull(long nowNanos) {
        refill(nowNanos);
        return tokens >= capacity;
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * refillPerNano);
            lastNanos = nowNanos;
        }
    }
}
