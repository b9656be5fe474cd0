package dev.capstan.gateway.client;

import java.util.function.LongSupplier;

/**
 * A consecutive-failure circuit breaker for one service. Closed: calls pass, and {@code threshold}
 * transport failures in a row open it. Open: calls are refused at once until {@code openForNanos} has
 * passed. Then one call is let through as a trial (others are still refused); its success closes the
 * breaker, its failure opens it again. Thread-safe (calls come from several event loops).
 */
public final class CircuitBreaker {

    /** The outcome of asking to call: allowed, or refused with the time until a trial is possible. */
    public record Permit(boolean allowed, long retryAfterMillis) {
        static final Permit GRANTED = new Permit(true, 0);
    }

    private enum State { CLOSED, OPEN, HALF_OPEN }

    private final int threshold;
    private final long openForNanos;
    private final LongSupplier nanoClock;
    private State state = State.CLOSED;
    private int failures;
    private long openedAt;
    private long trialStartedAt;

    public CircuitBreaker(int threshold, long openForNanos, LongSupplier nanoClock) {
        this.threshold = Math.max(1, threshold);
        this.openForNanos = openForNanos;
        this.nanoClock = nanoClock;
    }

    public synchronized Permit tryAcquire() {
        switch (state) {
            case CLOSED:
                return Permit.GRANTED;
            case OPEN:
                long waited = nanoClock.getAsLong() - openedAt;
                if (waited >= openForNanos) {
                    state = State.HALF_OPEN;
                    trialStartedAt = nanoClock.getAsLong();
                    return Permit.GRANTED;
                }
                return new Permit(false, Math.max(1, (openForNanos - waited) / 1_000_000));
            default:
                // A trial is under way: wait for its outcome, unless it never came (the client went away).
                long trial = nanoClock.getAsLong() - trialStartedAt;
                if (trial >= openForNanos) {
                    trialStartedAt = nanoClock.getAsLong();
                    return Permit.GRANTED;
                }
                return new Permit(false, Math.max(1, (openForNanos - trial) / 1_000_000));
        }
    }

    /** The service answered (whatever its status: an answer is not a transport failure). */
    public synchronized void onSuccess() {
        state = State.CLOSED;
        failures = 0;
    }

    public synchronized void onFailure() {
        failures++;
        if (state == State.HALF_OPEN || failures >= threshold) {
            state = State.OPEN;
            openedAt = nanoClock.getAsLong();
            failures = 0;
        }
    }

    public synchronized boolean isOpen() {
        return state != State.CLOSED;
    }
}
