package dev.capstan.gateway.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private final AtomicLong now = new AtomicLong();
    private final CircuitBreaker breaker = new CircuitBreaker(3, 1_000_000_000L, now::get);

    @Test
    void opensAfterTheThresholdOfConsecutiveFailuresOnly() {
        breaker.onFailure();
        breaker.onFailure();
        breaker.onSuccess();
        breaker.onFailure();
        breaker.onFailure();
        assertThat(breaker.tryAcquire().allowed()).as("a success in between resets the count").isTrue();
        breaker.onFailure();
        CircuitBreaker.Permit refused = breaker.tryAcquire();
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterMillis()).isEqualTo(1000);
    }

    @Test
    void afterTheOpenPeriodOneTrialDecides() {
        for (int i = 0; i < 3; i++) {
            breaker.onFailure();
        }
        now.addAndGet(400_000_000L);
        assertThat(breaker.tryAcquire().retryAfterMillis()).isEqualTo(600);
        now.addAndGet(600_000_000L);
        assertThat(breaker.tryAcquire().allowed()).as("the trial").isTrue();
        assertThat(breaker.tryAcquire().allowed()).as("others wait for the trial").isFalse();
        breaker.onFailure();
        assertThat(breaker.tryAcquire().allowed()).as("a failed trial opens it again").isFalse();
        now.addAndGet(1_000_000_000L);
        assertThat(breaker.tryAcquire().allowed()).isTrue();
        breaker.onSuccess();
        assertThat(breaker.tryAcquire().allowed()).isTrue();
        assertThat(breaker.isOpen()).isFalse();
    }

    @Test
    void aTrialThatNeverReportsDoesNotKeepTheBreakerOpenForever() {
        for (int i = 0; i < 3; i++) {
            breaker.onFailure();
        }
        now.addAndGet(1_000_000_000L);
        assertThat(breaker.tryAcquire().allowed()).isTrue();
        now.addAndGet(1_000_000_000L);
        assertThat(breaker.tryAcquire().allowed()).as("a new trial after another open period").isTrue();
    }
}
