package dev.capstan.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aFullBucketGrantsItsCapacityThenSaysHowLongToWait() {
        TokenBucket bucket = new TokenBucket(3, 2, 0);
        assertThat(bucket.tryTake(0)).isZero();
        assertThat(bucket.tryTake(0)).isZero();
        assertThat(bucket.tryTake(0)).isZero();
        assertThat(bucket.tryTake(0)).isEqualTo(500);
        assertThat(bucket.tryTake(SECOND / 4)).isEqualTo(250);
        assertThat(bucket.tryTake(SECOND / 2)).isZero();
    }

    @Test
    void refillNeverExceedsCapacity() {
        TokenBucket bucket = new TokenBucket(2, 100, 0);
        for (int i = 0; i < 2; i++) {
            assertThat(bucket.tryTake(3600 * SECOND)).isZero();
        }
        assertThat(bucket.tryTake(3600 * SECOND)).isPositive();
    }

    @Test
    void aGivenBackTokenCanBeTakenAgain() {
        TokenBucket bucket = new TokenBucket(1, 0.001, 0);
        assertThat(bucket.tryTake(0)).isZero();
        assertThat(bucket.tryTake(0)).isEqualTo(1_000_000);
        bucket.giveBack();
        assertThat(bucket.tryTake(0)).isZero();
    }
}
