package dev.capstan.run.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.run.repository.WorkflowDefinitionEntity;
import dev.capstan.run.repository.WorkflowDefinitionRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import dev.capstan.workflow.error.Problem;
import java.util.List;
import java.util.Map;
import org.hibernate.exception.ConstraintViolationException;

/** Registers and reads tenants' workflow definitions; a change is always a new version. */
@ApplicationScoped
public class WorkflowService {

    private static final int MAX_ID_LENGTH = 128;

    private final WorkflowDefinitionRepository definitions;
    private final DefinitionCache loader;
    private final ObjectMapper json;

    public WorkflowService(WorkflowDefinitionRepository definitions, DefinitionCache loader, ObjectMapper json) {
        this.definitions = definitions;
        this.loader = loader;
        this.json = json;
    }

    public record RegisteredWorkflow(String workflowId, int version) {
    }

    @WithTransaction
    public Uni<RegisteredWorkflow> register(String tenantId, JsonNode definition) {
        String workflowId = requireWorkflowId(definition);
        List<Problem> problems = loader.problems(definition.toString());
        if (!problems.isEmpty()) {
            throw ApiException.validation("The workflow definition is not valid: " + problems.size() + " problem(s).",
                    Map.of("problems", problems.stream().map(WorkflowService::describe).toList()));
        }
        return definitions.latestVersion(tenantId, workflowId).flatMap(latest -> {
            WorkflowDefinitionEntity entity = new WorkflowDefinitionEntity();
            entity.tenantId = tenantId;
            entity.workflowId = workflowId;
            entity.version = latest + 1;
            entity.definition = definition.toString();
            return definitions.persistAndFlush(entity)
                    .map(saved -> new RegisteredWorkflow(workflowId, saved.version))
                    .onFailure(ConstraintViolationException.class)
                    .transform(e -> new ApiException(ErrorCode.CONFLICT,
                            "Another version of workflow " + workflowId + " was registered at the same time; retry.",
                            Map.of("workflowId", workflowId)));
        });
    }

    @WithSession
    public Uni<JsonNode> latest(String tenantId, String workflowId) {
        return definitions.findLatest(tenantId, workflowId)
                .onItem().ifNull().failWith(() -> new ApiException(ErrorCode.NOT_FOUND,
                        "Workflow " + workflowId + " not found", Map.of("workflowId", workflowId)))
                .map(entity -> parse(entity.definition));
    }

    private static Map<String, Object> describe(Problem problem) {
        Map<String, Object> described = new java.util.LinkedHashMap<>();
        described.put("code", problem.code());
        described.put("path", problem.pointer());
        if (problem.line() > 0) {
            described.put("line", problem.line());
            described.put("column", problem.column());
        }
        described.put("message", problem.message());
        return described;
    }

    private static String requireWorkflowId(JsonNode definition) {
        if (definition == null || !definition.isObject()) {
            throw ApiException.validation("A workflow definition must be a JSON object.", Map.of());
        }
        JsonNode id = definition.get("id");
        if (id == null || !id.isTextual() || id.asText().isBlank() || id.asText().length() > MAX_ID_LENGTH) {
            throw ApiException.validation("The definition needs an \"id\" string of 1 to " + MAX_ID_LENGTH + " characters.",
                    Map.of("problems", java.util.List.of(Map.of("path", "/id", "message", "required string, 1-128 characters"))));
        }
        return id.asText();
    }

    private JsonNode parse(String stored) {
        try {
            return json.readTree(stored);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored definition is not JSON", e);
        }
    }
}
