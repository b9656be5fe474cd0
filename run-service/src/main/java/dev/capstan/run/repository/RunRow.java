package dev.capstan.run.repository;

import java.time.Instant;

/** A row of {@code runs}: the run's identity, status and current snapshot (JSON text). */
public record RunRow(String runId, String tenantId, String workflowId, int workflowVersion, String status,
                     long lastSequence, String snapshotJson, String optionsJson, Instant createdAt) {
}
