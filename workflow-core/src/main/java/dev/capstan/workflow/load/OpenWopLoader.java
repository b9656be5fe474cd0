package dev.capstan.workflow.load;

import com.networknt.schema.InputFormat;
import dev.capstan.workflow.engine.SubWorkflowCall;
import dev.capstan.workflow.error.LoadResult;
import dev.capstan.workflow.error.Problem;
import dev.capstan.workflow.expr.CompileResult;
import dev.capstan.workflow.expr.ExpressionEnvironment;
import dev.capstan.workflow.graph.GraphChecker;
import dev.capstan.workflow.graph.NodeTypeRegistry;
import dev.capstan.workflow.model.CostEstimate;
import dev.capstan.workflow.model.Edge;
import dev.capstan.workflow.model.EdgeMode;
import dev.capstan.workflow.model.InterruptKind;
import dev.capstan.workflow.model.InterruptSpec;
import dev.capstan.workflow.model.JoinRule;
import dev.capstan.workflow.model.Node;
import dev.capstan.workflow.model.NodeKind;
import dev.capstan.workflow.model.PortValue;
import dev.capstan.workflow.model.ResumeSchemas;
import dev.capstan.workflow.model.RetryPolicy;
import dev.capstan.workflow.model.Security;
import dev.capstan.workflow.model.Settings;
import dev.capstan.workflow.model.SourceFormat;
import dev.capstan.workflow.model.Trigger;
import dev.capstan.workflow.model.Values;
import dev.capstan.workflow.model.Variable;
import dev.capstan.workflow.model.WorkflowDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Loads OpenWOP v1 workflow definitions (JSON): schema validation against the bundled
 * {@code workflow-definition.schema.json}, then mapping, CEL compilation of conditions and expression inputs, and
 * graph checks. Every problem is returned; nothing is thrown for bad input.
 */
public final class OpenWopLoader {

    private final NodeTypeRegistry registry;

    public OpenWopLoader(NodeTypeRegistry registry) {
        this.registry = registry;
    }

    public LoadResult<WorkflowDefinition> load(Reader reader) {
        return load(readAll(reader));
    }

    public LoadResult<WorkflowDefinition> load(InputStream in) {
        try {
            return load(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public LoadResult<WorkflowDefinition> load(String json) {
        List<Problem> problems = new ArrayList<>();
        JsonDocument doc = JsonDocument.parse(json, InputFormat.JSON, problems);
        if (doc == null) {
            return LoadResult.of(null, problems);
        }
        JsonNode root = doc.root();
        if (!root.isObject()) {
            problems.add(doc.error("schema.type", "", "A workflow definition must be a JSON object."));
            return LoadResult.of(null, problems);
        }
        problems.addAll(SchemaValidator.validate(SchemaValidator.OPENWOP_WORKFLOW, doc, "schema", Problem.Severity.ERROR));

        Set<String> nodeIds = new LinkedHashSet<>();
        JsonNode nodesJson = root.path("nodes");
        for (JsonNode n : nodesJson.isArray() ? nodesJson.values() : List.<JsonNode>of()) {
            String id = JsonDocument.text(n, "id");
            if (id != null) {
                nodeIds.add(id);
            }
        }
        ExpressionEnvironment env = ExpressionEnvironment.forNodes(nodeIds);
        Settings settings = settings(root.path("settings"));
        int defaultRetries = JsonDocument.longValue(root.path("settings"), "maxRetries") == null ? 0
                : JsonDocument.longValue(root.path("settings"), "maxRetries").intValue();

        List<Node> nodes = new ArrayList<>();
        List<String> nodePointers = new ArrayList<>();
        int i = 0;
        for (JsonNode n : nodesJson.isArray() ? nodesJson.values() : List.<JsonNode>of()) {
            String p = JsonDocument.pointer("nodes", i++);
            Node node = node(n, p, env, defaultRetries, doc, problems);
            if (node != null) {
                nodes.add(node);
                nodePointers.add(p);
            }
        }
        List<Edge> edges = new ArrayList<>();
        List<String> edgePointers = new ArrayList<>();
        JsonNode edgesJson = root.path("edges");
        i = 0;
        for (JsonNode e : edgesJson.isArray() ? edgesJson.values() : List.<JsonNode>of()) {
            String p = JsonDocument.pointer("edges", i++);
            Edge edge = edge(e, p, env, doc, problems);
            if (edge != null) {
                edges.add(edge);
                edgePointers.add(p);
            }
        }
        List<Variable> variables = new ArrayList<>();
        for (JsonNode v : root.path("variables").isArray() ? root.path("variables").values() : List.<JsonNode>of()) {
            String name = JsonDocument.text(v, "name");
            if (name != null) {
                variables.add(new Variable(name, JsonDocument.text(v, "type"), v.path("required").asBoolean(false),
                        JsonDocument.plain(v.get("defaultValue")), v.path("sensitive").asBoolean(false)));
            }
        }
        List<Trigger> triggers = new ArrayList<>();
        Set<String> entries = new HashSet<>();
        for (JsonNode t : root.path("triggers").isArray() ? root.path("triggers").values() : List.<JsonNode>of()) {
            String tid = JsonDocument.text(t, "id");
            if (tid == null) {
                continue;
            }
            String nodeId = JsonDocument.text(t, "nodeId");
            triggers.add(new Trigger(tid, JsonDocument.text(t, "type"), nodeId, t.path("enabled").asBoolean(true),
                    JsonDocument.plainMap(t.get("config"))));
        }
        for (Node n : nodes) {
            if ("core.start".equals(n.typeId())) {
                entries.add(n.id());
            }
        }
        for (Trigger t : triggers) {
            if (t.nodeId() != null) {
                entries.add(t.nodeId());
            }
        }
        Set<String> variableNames = new HashSet<>();
        variables.forEach(v -> variableNames.add(v.name()));
        for (int k = 0; k < nodes.size(); k++) {
            for (Map.Entry<String, PortValue> in : nodes.get(k).inputs().entrySet()) {
                String where = nodePointers.get(k) + JsonDocument.pointer("inputs", in.getKey());
                if (in.getValue() instanceof PortValue.Connection c && !nodeIds.contains(c.nodeId())) {
                    problems.add(doc.error("graph.missing_node", where, "Input '" + in.getKey() + "' of node '"
                            + nodes.get(k).id() + "' connects to node '" + c.nodeId() + "', which does not exist."));
                }
                if (in.getValue() instanceof PortValue.Variable v && !variableNames.contains(v.variableName())) {
                    problems.add(doc.warning("graph.unknown_variable", where, "Input '" + in.getKey() + "' of node '"
                            + nodes.get(k).id() + "' reads variable '" + v.variableName()
                            + "', which the workflow does not declare; it is empty unless the run inputs set it."));
                }
            }
        }
        for (Problem gp : GraphChecker.check(nodes, nodePointers, edges, edgePointers, entries, registry, true)) {
            problems.add(doc.locate(gp));
        }
        if (problems.stream().anyMatch(Problem::isError)) {
            return LoadResult.of(null, problems);
        }
        WorkflowDefinition def = new WorkflowDefinition(JsonDocument.text(root, "id"), JsonDocument.text(root, "name"),
                JsonDocument.text(root, "version"), JsonDocument.text(root, "description"), SourceFormat.OPENWOP, nodes,
                edges, variables, triggers, settings, JsonDocument.plainMap(root.get("metadata")));
        return LoadResult.of(def, problems);
    }

    private static Settings settings(JsonNode s) {
        Long timeout = JsonDocument.longValue(s, "timeout");
        Long loops = JsonDocument.longValue(s, "maxLoopbackIterations");
        Long maxExec = JsonDocument.longValue(s, "maxNodeExecutions");
        return new Settings(timeout == null || timeout == 0 ? null : timeout, loops == null ? null : loops.intValue(),
                maxExec == null ? null : maxExec.intValue(), JsonDocument.doubleValue(s, "budgetUsd"));
    }

    private Node node(JsonNode n, String p, ExpressionEnvironment env, int defaultRetries, JsonDocument doc,
                      List<Problem> problems) {
        String id = JsonDocument.text(n, "id");
        String typeId = JsonDocument.text(n, "typeId");
        if (id == null || typeId == null) {
            return null; // the schema already reported the missing field
        }
        Map<String, Object> config = JsonDocument.plainMap(n.get("config"));
        Map<String, Object> nodeSettings = JsonDocument.plainMap(n.get("settings"));
        Map<String, PortValue> inputs = new LinkedHashMap<>();
        JsonNode in = n.path("inputs");
        if (in.isObject()) {
            for (Map.Entry<String, JsonNode> port : in.properties()) {
                PortValue pv = portValue(port.getValue(), p + JsonDocument.pointer("inputs", port.getKey()), env, doc,
                        problems);
                if (pv != null) {
                    inputs.put(port.getKey(), pv);
                }
            }
        }
        NodeKind kind = NodeKind.TASK;
        InterruptSpec interrupt = null;
        switch (typeId) {
            case "core.approvalGate", "core.chat.approvalGate" -> {
                kind = NodeKind.INTERRUPT;
                Object resume = config.get("resumeSchema");
                List<String> approvers = strings(config.get("approversList"));
                Long required = Values.asLong(config.get("requiredApprovals"));
                if (required != null && !approvers.isEmpty() && required > approvers.stream().distinct().count()) {
                    problems.add(doc.error("node.quorum_unreachable", p + "/config/requiredApprovals", "Approval '" + id
                            + "' needs " + required + " approvals but lists only " + approvers.stream().distinct().count()
                            + " approvers; it could never be accepted."));
                }
                interrupt = new InterruptSpec(InterruptKind.APPROVAL, approvalData(config),
                        resume instanceof Map<?, ?> ? Values.asMap(resume) : ResumeSchemas.approval(strings(config.get("actions"))),
                        Values.asLong(config.get("timeoutMs")));
            }
            case "core.clarificationGate" -> {
                kind = NodeKind.INTERRUPT;
                interrupt = new InterruptSpec(InterruptKind.CLARIFICATION, Map.of("questions",
                        config.getOrDefault("questions", List.of())), mapOrNull(config.get("resumeSchema")),
                        Values.asLong(config.get("timeoutMs")));
            }
            case "core.interrupt" -> {
                kind = NodeKind.INTERRUPT;
                String k = String.valueOf(config.getOrDefault("kind", "custom"));
                InterruptKind ik;
                try {
                    ik = InterruptKind.parse(k);
                } catch (IllegalArgumentException unknownKind) {
                    problems.add(doc.error("node.interrupt_kind", p + "/config/kind", "Interrupt kind '" + k
                            + "' is not one of approval, clarification, external-event, custom."));
                    ik = InterruptKind.CUSTOM;
                }
                Object data = config.get("data");
                interrupt = new InterruptSpec(ik, data instanceof Map<?, ?> ? Values.asMap(data) : config,
                        mapOrNull(config.get("resumeSchema")), Values.asLong(config.get("timeoutMs")));
            }
            case "core.delay" -> kind = NodeKind.DELAY;
            case SubWorkflowCall.TYPE_ID -> {
                for (Problem problem : SubWorkflowCall.problems(config, id, p + "/config")) {
                    problems.add(doc.error(problem.code(), problem.pointer(), problem.message()));
                }
            }
            default -> {
            }
        }
        RetryPolicy retry = retry(nodeSettings.getOrDefault("retry", config.get("retry")), defaultRetries);
        Long timeoutMs = Values.asLong(nodeSettings.getOrDefault("timeoutMs", config.get("timeoutMs")));
        if (kind == NodeKind.INTERRUPT) {
            timeoutMs = null; // an interrupt's timeout is the interrupt's own
        }
        Double costUsd = Values.asDouble(nodeSettings.get("costEstimateUsd"));
        Security security = new Security(Boolean.TRUE.equals(nodeSettings.get("approvalGate")),
                (String) nodeSettings.get("riskLevel"), strings(nodeSettings.get("secrets")),
                strings(nodeSettings.get("permissions")));
        return new Node(id, typeId, JsonDocument.text(n, "name"), kind, config, inputs, retry, timeoutMs, security,
                new CostEstimate(costUsd, null, null), interrupt);
    }

    private static Map<String, Object> approvalData(Map<String, Object> config) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("title", config.getOrDefault("title", "Approval"));
        for (String k : List.of("description", "actions", "artifactId", "artifactType", "artifactData",
                "requiredApprovals", "approversList", "rejectionPolicy")) {
            if (config.containsKey(k)) {
                data.put(k, config.get(k));
            }
        }
        return data;
    }

    private static Map<String, Object> mapOrNull(Object o) {
        return o instanceof Map<?, ?> ? Values.asMap(o) : null;
    }

    static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        if (o instanceof List<?> l) {
            for (Object x : l) {
                if (x != null) {
                    out.add(String.valueOf(x));
                }
            }
        }
        return out;
    }

    /** Node retry settings: {maxRetries|maxAttempts, backoff fixed|exponential, initialDelayMs, multiplier, maxDelayMs}. */
    static RetryPolicy retry(Object o, int defaultRetries) {
        Map<String, Object> r = Values.asMap(o);
        Long max = Values.asLong(r.get("maxRetries"));
        if (max == null && Values.asLong(r.get("maxAttempts")) != null) {
            max = Math.max(0, Values.asLong(r.get("maxAttempts")) - 1);
        }
        int retries = max == null ? defaultRetries : max.intValue();
        if (retries <= 0) {
            return RetryPolicy.NONE;
        }
        Long initial = Values.asLong(r.getOrDefault("initialDelayMs", r.get("backoffMs")));
        Double mult = Values.asDouble(r.get("multiplier"));
        Long maxDelay = Values.asLong(r.get("maxDelayMs"));
        if ("fixed".equals(r.get("backoff"))) {
            return RetryPolicy.fixed(retries, initial == null ? 1_000 : initial);
        }
        return RetryPolicy.exponential(retries, initial == null ? 1_000 : initial, mult == null ? 2.0 : mult,
                maxDelay == null ? 60_000 : maxDelay);
    }

    private static PortValue portValue(JsonNode v, String p, ExpressionEnvironment env, JsonDocument doc,
                                       List<Problem> problems) {
        String type = JsonDocument.text(v, "type");
        if (type == null) {
            return null;
        }
        return switch (type) {
            case "static" -> new PortValue.Static(JsonDocument.plain(v.get("value")));
            case "expression" -> {
                String src = JsonDocument.text(v, "expression");
                CompileResult r = env.compileValue(src);
                Expressions.report(r, p + "/expression", doc, problems);
                yield r.ok() ? new PortValue.Expression(r.expression()) : null;
            }
            case "connection" -> new PortValue.Connection(JsonDocument.text(v, "nodeId"),
                    JsonDocument.text(v, "outputKey"), v.path("optional").asBoolean(false));
            case "variable" -> new PortValue.Variable(JsonDocument.text(v, "variableName"),
                    v.path("optional").asBoolean(false));
            default -> null;
        };
    }

    private static Edge edge(JsonNode e, String p, ExpressionEnvironment env, JsonDocument doc, List<Problem> problems) {
        String id = JsonDocument.text(e, "id");
        String from = JsonDocument.text(e, "sourceNodeId");
        String to = JsonDocument.text(e, "targetNodeId");
        if (id == null || from == null || to == null) {
            return null;
        }
        JoinRule join = JoinRule.DEFAULT;
        String rule = JsonDocument.text(e, "triggerRule");
        if (rule != null) {
            try {
                join = JoinRule.parseOpenWop(rule);
            } catch (IllegalArgumentException schemaReportsIt) {
                join = JoinRule.DEFAULT;
            }
        }
        EdgeMode mode = EdgeMode.SEQUENTIAL;
        dev.capstan.workflow.expr.CompiledExpression condition = null;
        JsonNode c = e.get("condition");
        if (c != null && c.isObject()) {
            mode = EdgeMode.CONDITIONAL;
            String cel = conditionToCel(c);
            if (cel == null) {
                problems.add(doc.error("edge.condition", p + "/condition", "The condition needs 'expression' (for type"
                        + " expression) or 'left' (for equals, notEquals, contains, regex)."));
            } else {
                CompileResult r = env.compileCondition(cel);
                String where = c.has("expression") ? p + "/condition/expression" : p + "/condition";
                Expressions.report(r, where, doc, problems);
                condition = r.expression();
            }
        }
        return new Edge(id, from, to, mode, condition, join, null, null, null, false, null, JsonDocument.text(e, "label"));
    }

    /**
     * The structured condition forms become CEL over the source node's outputs ({@code output}): {@code left} is a
     * dotted path, {@code right} a JSON literal.
     */
    static String conditionToCel(JsonNode c) {
        String type = JsonDocument.text(c, "type");
        String expression = JsonDocument.text(c, "expression");
        if (type == null || "expression".equals(type)) {
            return expression;
        }
        String left = JsonDocument.text(c, "left");
        if (left == null || !left.matches("[_a-zA-Z][_a-zA-Z0-9]*(\\.[_a-zA-Z][_a-zA-Z0-9]*)*")) {
            return null;
        }
        String lhs = left.startsWith("output.") || left.equals("output") ? left : "output." + left;
        String rhs = celLiteral(JsonDocument.plain(c.get("right")));
        return switch (type) {
            case "equals" -> lhs + " == " + rhs;
            case "notEquals" -> lhs + " != " + rhs;
            case "contains" -> "string(" + lhs + ").contains(string(" + rhs + "))";
            case "regex" -> "string(" + lhs + ").matches(string(" + rhs + "))";
            default -> null;
        };
    }

    static String celLiteral(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
        if (v instanceof Number || v instanceof Boolean) {
            return String.valueOf(v);
        }
        if (v instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            l.forEach(x -> parts.add(celLiteral(x)));
            return "[" + String.join(", ", parts) + "]";
        }
        if (v instanceof Map<?, ?> m) {
            List<String> parts = new ArrayList<>();
            m.forEach((k, x) -> parts.add(celLiteral(String.valueOf(k)) + ": " + celLiteral(x)));
            return "{" + String.join(", ", parts) + "}";
        }
        return celLiteral(String.valueOf(v));
    }

    static String readAll(Reader reader) {
        StringBuilder sb = new StringBuilder();
        char[] buf = new char[8192];
        try {
            int n;
            while ((n = reader.read(buf)) >= 0) {
                sb.append(buf, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString();
    }
}
