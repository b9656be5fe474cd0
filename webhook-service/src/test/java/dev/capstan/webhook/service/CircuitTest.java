package dev.capstan.webhook.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CircuitTest {

    private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");

    @ParameterizedTest(name = "{0} failures, open until {1} s from now → {2}")
    @CsvSource({
        "0, , CLOSED",
        "3, , CLOSED",
        "3, 60, CLOSED",
        "4, 60, OPEN",
        "9, 1, OPEN",
        "4, 0, HALF_OPEN",
        "4, -5, HALF_OPEN",
        "4, , HALF_OPEN",
    })
    void theStateFollowsFromTheCounters(int failures, Long openForSeconds, Circuit expected) {
        Instant until = openForSeconds == null ? null : NOW.plusSeconds(openForSeconds);
        assertThat(Circuit.of(failures, until, 4, NOW)).isEqualTo(expected);
    }
}
