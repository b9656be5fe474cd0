package dev.capstan.run.repository;

import java.time.Instant;

/** A durable timer of a run. */
public record TimerRow(String runId, String timerId, String kind, String nodeId, int attempt, Instant fireAt) {
}
