package dev.capstan.run.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.run.config.ArtifactConfig;
import dev.capstan.run.repository.WorkflowDefinitionEntity;
import dev.capstan.run.repository.WorkflowDefinitionRepository;
import dev.capstan.workflow.error.LoadResult;
import dev.capstan.workflow.error.Problem;
import dev.capstan.workflow.model.SourceFormat;
import dev.capstan.workflow.model.WorkflowDefinition;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hibernate.exception.ConstraintViolationException;

/**
 * Registers, versions, lists and deletes tenants' workflow definitions (OpenWOP JSON or OSOP YAML). A
 * definition is stored only if workflow-core loads it; a change is always a new version.
 */
@ApplicationScoped
public class WorkflowService {

    private static final int MAX_ID_LENGTH = 128;
    private static final YAMLMapper YAML = new YAMLMapper();

    private final WorkflowDefinitionRepository definitions;
    private final DefinitionCache loader;
    private final JsonCodec json;

    private final ArtifactRecorder artifacts;
    private final ArtifactConfig artifactLimits;

    public WorkflowService(WorkflowDefinitionRepository definitions, DefinitionCache loader, JsonCodec json,
                           ArtifactRecorder artifacts, ArtifactConfig artifactLimits) {
        this.artifacts = artifacts;
        this.artifactLimits = artifactLimits;
        this.definitions = definitions;
        this.loader = loader;
        this.json = json;
    }

    public record RegisteredWorkflow(String workflowId, int version) {
    }

    public record WorkflowSummary(String workflowId, int version, String name, String format, String createdAt) {
    }

    public record WorkflowPage(List<WorkflowSummary> workflows, String nextCursor) {
    }

    /** Registers an OpenWOP definition (JSON) as the next version of its workflow. */
    @WithTransaction
    public Uni<RegisteredWorkflow> register(String tenantId, JsonNode definition) {
        requireObjectWithId(definition);
        String text = definition.toString();
        WorkflowDefinition loaded = loadOrReject(text, SourceFormat.OPENWOP);
        return store(tenantId, loaded.id(), SourceFormat.OPENWOP, text, null);
    }

    /** Registers an OSOP file (YAML) as the next version of its workflow; problems carry YAML lines. */
    @WithTransaction
    public Uni<RegisteredWorkflow> registerOsop(String tenantId, String yaml) {
        WorkflowDefinition loaded = loadOrReject(yaml, SourceFormat.OSOP);
        String asJson;
        try {
            asJson = json.write(YAML.readTree(yaml));
        } catch (JsonProcessingException e) {
            throw ApiException.validation("The OSOP document is not valid YAML.", Map.of("reason", e.getOriginalMessage()));
        }
        return store(tenantId, loaded.id(), SourceFormat.OSOP, asJson, yaml);
    }

    /** Registers an ordered step list (the compatible {@code /api/v1/workflows} surface) as the next version of its workflow. */
    @WithTransaction
    public Uni<RegisteredWorkflow> registerStepList(String tenantId, JsonNode definition) {
        requireObjectWithId(definition);
        String text = definition.toString();
        WorkflowDefinition loaded = loadOrReject(text, SourceFormat.STEP_LIST);
        return store(tenantId, loaded.id(), SourceFormat.STEP_LIST, text, null);
    }

    /** {@code PUT /v1/workflows/{id}}: a new version of an existing workflow; the body's id must match. */
    @WithTransaction
    public Uni<RegisteredWorkflow> update(String tenantId, String workflowId, JsonNode definition) {
        requireObjectWithId(definition);
        if (!workflowId.equals(definition.get("id").asText())) {
            throw ApiException.validation("The definition's id must be the workflow id of the path.",
                    Map.of("problems", List.of(Map.of("path", "/id", "message", "expected " + workflowId))));
        }
        return definitions.findLatest(tenantId, workflowId)
                .onItem().ifNull().failWith(() -> notFound(workflowId))
                .flatMap(existing -> register(tenantId, definition));
    }

    @WithSession
    public Uni<JsonNode> latest(String tenantId, String workflowId) {
        return definitions.findLatest(tenantId, workflowId)
                .onItem().ifNull().failWith(() -> notFound(workflowId))
                .map(entity -> json.readTree(entity.definition));
    }

    @WithSession
    public Uni<WorkflowPage> list(String tenantId, String afterWorkflowId, int limit) {
        return definitions.page(tenantId, afterWorkflowId == null ? "" : afterWorkflowId, limit + 1).map(rows -> {
            boolean more = rows.size() > limit;
            List<WorkflowSummary> page = rows.stream().limit(limit).map(this::summary).toList();
            return new WorkflowPage(page, more ? page.get(page.size() - 1).workflowId() : null);
        });
    }

    @WithTransaction
    public Uni<Void> delete(String tenantId, String workflowId) {
        return definitions.markDeleted(tenantId, workflowId, OffsetDateTime.now(ZoneOffset.UTC)).map(deleted -> {
            if (!deleted) {
                throw notFound(workflowId);
            }
            return null;
        });
    }

    private Uni<RegisteredWorkflow> store(String tenantId, String workflowId, SourceFormat format, String definitionJson, String source) {
        if (workflowId == null || workflowId.isBlank() || workflowId.length() > MAX_ID_LENGTH) {
            throw ApiException.validation("The workflow needs an id of 1 to " + MAX_ID_LENGTH + " characters.",
                    Map.of("problems", List.of(Map.of("path", "/id", "message", "required string, 1-128 characters"))));
        }
        return definitions.latestVersion(tenantId, workflowId).flatMap(latest -> {
            WorkflowDefinitionEntity entity = new WorkflowDefinitionEntity();
            entity.tenantId = tenantId;
            entity.workflowId = workflowId;
            entity.version = latest + 1;
            entity.definition = definitionJson;
            entity.format = format.name();
            entity.source = source;
            return definitions.persistAndFlush(entity)
                    .map(saved -> new RegisteredWorkflow(workflowId, saved.version))
                    .onFailure(ConstraintViolationException.class)
                    .transform(e -> new ApiException(ErrorCode.CONFLICT,
                            "Another version of workflow " + workflowId + " was registered at the same time; retry.",
                            Map.of("workflowId", workflowId)));
        });
    }

    private WorkflowDefinition loadOrReject(String text, SourceFormat format) {
        LoadResult<WorkflowDefinition> result = loader.load(text, format);
        if (result instanceof LoadResult.Loaded<WorkflowDefinition> loaded) {
            rejectOversizedArtifacts(loaded.value());
            return loaded.value();
        }
        List<Problem> problems = result.errors();
        throw ApiException.validation("The workflow definition is not valid: " + problems.size() + " problem(s).",
                Map.of("problems", problems.stream().map(WorkflowService::describe).toList()));
    }

    /** An approval's artifactData becomes a stored artifact each time it is shown; one over the limit is refused here. */
    private void rejectOversizedArtifacts(WorkflowDefinition definition) {
        for (var node : definition.nodes()) {
            if (node.interrupt() == null || node.interrupt().data() == null) {
                continue;
            }
            int size = artifacts.sizeOf(node.interrupt().data().get("artifactData"));
            if (size > artifactLimits.maxContentBytes()) {
                throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "The artifactData of node '" + node.id() + "' is " + size
                        + " bytes of JSON; an artifact may have at most " + artifactLimits.maxContentBytes() + ".",
                        Map.of("nodeId", node.id(), "sizeBytes", size, "maxBytes", artifactLimits.maxContentBytes()));
            }
        }
    }

    private WorkflowSummary summary(WorkflowDefinitionEntity entity) {
        JsonNode definition = json.readTree(entity.definition);
        return new WorkflowSummary(entity.workflowId, entity.version, definition.path("name").asText(null), entity.format.toLowerCase(),
                entity.createdAt == null ? null : entity.createdAt.toInstant().toString());
    }

    private static Map<String, Object> describe(Problem problem) {
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("code", problem.code());
        described.put("path", problem.pointer());
        if (problem.line() > 0) {
            described.put("line", problem.line());
            described.put("column", problem.column());
        }
        described.put("message", problem.message());
        return described;
    }

    private static ApiException notFound(String workflowId) {
        return new ApiException(ErrorCode.NOT_FOUND, "Workflow " + workflowId + " not found", Map.of("workflowId", workflowId));
    }

    private static void requireObjectWithId(JsonNode definition) {
        if (definition == null || !definition.isObject()) {
            throw ApiException.validation("A workflow definition must be a JSON object.", Map.of());
        }
        JsonNode id = definition.get("id");
        if (id == null || !id.isTextual() || id.asText().isBlank() || id.asText().length() > MAX_ID_LENGTH) {
            throw ApiException.validation("The definition needs an \"id\" string of 1 to " + MAX_ID_LENGTH + " characters.",
                    Map.of("problems", List.of(Map.of("path", "/id", "message", "required string, 1-128 characters"))));
        }
    }

}
