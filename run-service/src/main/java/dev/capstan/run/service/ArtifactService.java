package dev.capstan.run.service;

import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.run.repository.ArtifactRepository;
import dev.capstan.run.repository.ArtifactRow;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the artifacts a tenant's runs produced; another tenant's artifact, like an unknown one, is 404. */
@ApplicationScoped
public class ArtifactService {

    private final ArtifactRepository artifacts;
    private final JsonCodec json;

    public ArtifactService(ArtifactRepository artifacts, JsonCodec json) {
        this.artifacts = artifacts;
        this.json = json;
    }

    /**
     * The newest version of the artifact, or the given one: {@code {artifactId, runId, artifactType, version, nodeId,
     * summary, createdAt, content}}.
     */
    public Uni<Map<String, Object>> get(String tenantId, String runId, String artifactId, Long version) {
        Uni<ArtifactRow> row = version == null ? artifacts.latest(tenantId, runId, artifactId)
                : artifacts.version(tenantId, runId, artifactId, version);
        return row.map(found -> {
            if (found == null) {
                throw new ApiException(ErrorCode.NOT_FOUND, "Artifact " + artifactId + " of run " + runId + " not found",
                        Map.of("runId", runId, "artifactId", artifactId));
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("artifactId", found.artifactId());
            body.put("runId", found.runId());
            body.put("artifactType", found.artifactType());
            body.put("version", found.version());
            if (found.nodeId() != null) {
                body.put("nodeId", found.nodeId());
            }
            if (found.summary() != null) {
                body.put("summary", found.summary());
            }
            body.put("createdAt", found.createdAt().toString());
            body.put("content", found.contentJson() == null ? null : json.readTree(found.contentJson()));
            return body;
        });
    }
}
