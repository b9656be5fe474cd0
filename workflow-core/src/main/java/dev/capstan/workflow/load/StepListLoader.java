package dev.capstan.workflow.load;

import com.networknt.schema.InputFormat;
import dev.capstan.workflow.error.LoadResult;
import dev.capstan.workflow.error.Problem;
import dev.capstan.workflow.expr.ExpressionEnvironment;
import dev.capstan.workflow.graph.GraphChecker;
import dev.capstan.workflow.graph.NodeTypeRegistry;
import dev.capstan.workflow.model.Edge;
import dev.capstan.workflow.model.EdgeMode;
import dev.capstan.workflow.model.InterruptKind;
import dev.capstan.workflow.model.InterruptSpec;
import dev.capstan.workflow.model.Node;
import dev.capstan.workflow.model.NodeKind;
import dev.capstan.workflow.model.PortValue;
import dev.capstan.workflow.model.ResumeSchemas;
import dev.capstan.workflow.model.Security;
import dev.capstan.workflow.model.SourceFormat;
import dev.capstan.workflow.model.WorkflowDefinition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Loads ordered step lists as the {@code /api/v1/workflows} surface stores them:
 * {@code {id, name, steps: [{id?, stepOrder, agentId, action, requiresConfirmation, humanReview}]}}. Steps run in
 * {@code stepOrder}; {@code requiresConfirmation} asks a person to approve the step before it runs and
 * {@code humanReview} adds an approval after it (node {@code <step>.review}). Each step's inputs are {@code input}
 * (the run's inputs) and, after the first, {@code previous} (the previous step's {@code content} output), which the
 * executors' agent-step handler turns into the model's user content.
 */
public final class StepListLoader {

    public static final String STEP_TYPE = "capstan.agentStep";
    public static final String SCHEMA_ID = "https://capstan.dev/schemas/step-list.schema.json";

    public LoadResult<WorkflowDefinition> load(String json) {
        List<Problem> problems = new ArrayList<>();
        JsonDocument doc = JsonDocument.parse(json, InputFormat.JSON, problems);
        if (doc == null) {
            return LoadResult.of(null, problems);
        }
        problems.addAll(SchemaValidator.validate(SCHEMA_ID, doc, "schema", Problem.Severity.ERROR));
        JsonNode steps = doc.root().path("steps");
        record Step(int index, long order, JsonNode json) {
        }
        List<Step> ordered = new ArrayList<>();
        Map<Long, Integer> seenOrder = new HashMap<>();
        int i = 0;
        for (JsonNode s : steps.isArray() ? steps.values() : List.<JsonNode>of()) {
            Long order = JsonDocument.longValue(s, "stepOrder");
            if (order != null && JsonDocument.text(s, "agentId") != null) {
                Integer prev = seenOrder.putIfAbsent(order, i);
                if (prev != null) {
                    problems.add(doc.error("steps.duplicate_order", JsonDocument.pointer("steps", i, "stepOrder"),
                            "stepOrder " + order + " is used by steps " + prev + " and " + i + "; the order would be ambiguous."));
                }
                ordered.add(new Step(i, order, s));
            }
            i++;
        }
        ordered.sort(Comparator.comparingLong(Step::order).thenComparingInt(Step::index));
        List<Node> nodes = new ArrayList<>();
        List<String> pointers = new ArrayList<>();
        List<Edge> edges = new ArrayList<>();
        List<String> edgePointers = new ArrayList<>();
        String previous = null;
        String previousStep = null;
        // Every step reads the run's inputs and the previous step's content: that is how a step list chains.
        PortValue runInputs = new PortValue.Expression(ExpressionEnvironment.forNodes(Set.of()).compileValue("inputs").expression());
        for (Step step : ordered) {
            JsonNode s = step.json();
            String p = JsonDocument.pointer("steps", step.index());
            String id = JsonDocument.text(s, "id") != null ? JsonDocument.text(s, "id") : "step-" + step.order();
            for (String field : List.of("routerConfig", "onReject", "elseStepId")) {
                JsonNode v = s.path(field);
                if (!v.isMissingNode() && !v.isNull() && !((v.isObject() || v.isArray()) && v.isEmpty())) {
                    // Their meaning is not published; saying so beats running the list as if they were absent.
                    problems.add(doc.warning("steps.ignored_field", p + "/" + field, "Step " + step.order() + " sets "
                            + field + ", which the engine does not act on: the steps run in stepOrder regardless."));
                }
            }
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("agentId", JsonDocument.text(s, "agentId"));
            config.put("action", JsonDocument.text(s, "action"));
            config.put("stepOrder", step.order());
            boolean confirm = s.path("requiresConfirmation").asBoolean(false);
            Map<String, Object> data = Map.of("title", "Confirm step " + step.order(), "description",
                    String.valueOf(config.get("action")));
            Map<String, PortValue> inputs = new LinkedHashMap<>();
            inputs.put("input", runInputs);
            if (previousStep != null) {
                inputs.put("previous", new PortValue.Connection(previousStep, "content", true));
            }
            nodes.add(new Node(id, STEP_TYPE, id, NodeKind.TASK, config, inputs, null, null,
                    new Security(confirm, null, List.of(), List.of()), null,
                    confirm ? new InterruptSpec(InterruptKind.APPROVAL, data, ResumeSchemas.approval(null), null) : null));
            pointers.add(p);
            if (previous != null) {
                edges.add(Edge.simple(previous + "->" + id, previous, id, EdgeMode.SEQUENTIAL, null));
                edgePointers.add(p);
            }
            previous = id;
            previousStep = id;
            if (s.path("humanReview").asBoolean(false)) {
                String review = id + ".review";
                nodes.add(new Node(review, "capstan.humanReview", "Review of " + id, NodeKind.INTERRUPT, Map.of(),
                        Map.of(), null, null, null, null, new InterruptSpec(InterruptKind.APPROVAL,
                        Map.of("title", "Review the output of step " + step.order()), ResumeSchemas.approval(null), null)));
                pointers.add(p + "/humanReview");
                edges.add(Edge.simple(id + "->" + review, id, review, EdgeMode.SEQUENTIAL, null));
                edgePointers.add(p);
                previous = review;
            }
        }
        NodeTypeRegistry types = NodeTypeRegistry.of(Set.of(STEP_TYPE, "capstan.humanReview"));
        if (!nodes.isEmpty()) {
            for (Problem gp : GraphChecker.check(nodes, pointers, edges, edgePointers, Set.of(), types, true)) {
                problems.add(doc.locate(gp));
            }
        }
        if (problems.stream().anyMatch(Problem::isError)) {
            return LoadResult.of(null, problems);
        }
        JsonNode root = doc.root();
        return LoadResult.of(new WorkflowDefinition(JsonDocument.text(root, "id"), JsonDocument.text(root, "name"), "1",
                JsonDocument.text(root, "description"), SourceFormat.STEP_LIST, nodes, edges, List.of(), List.of(), null,
                Map.of()), problems);
    }
}
