package dev.capstan.run.repository;

import java.time.Instant;

/**
 * One version of an artifact of a run ({@code run_artifacts}).
 *
 * @param version     the sequence of the {@code artifact.created} event that recorded this version
 * @param contentJson the artifact's content as JSON text, or null when it has none
 */
public record ArtifactRow(String tenantId, String runId, String artifactId, long version, String artifactType, String nodeId,
                          String summary, String contentJson, Instant createdAt) {
}
