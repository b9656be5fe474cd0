package dev.capstan.workflow.load;

import com.networknt.schema.InputFormat;
import dev.capstan.workflow.engine.SubWorkflowCall;
import dev.capstan.workflow.error.LoadResult;
import dev.capstan.workflow.error.Problem;
import dev.capstan.workflow.expr.CompileResult;
import dev.capstan.workflow.expr.CompiledExpression;
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
import dev.capstan.workflow.model.WorkflowDefinition;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Loads OSOP files ({@code .osop}, {@code .osop.yaml}, or the same as JSON). OSOP files in the wild deviate from
 * their own schemas, so the rules are: structural requirements (ids, a known node type and edge mode, edge ends)
 * are errors; every other difference from the full schema is a warning. {@code condition} is accepted as an alias
 * of {@code when}, {@code purpose} is optional, and approval gates are read from {@code approval_gate},
 * {@code security.approval_gate: true} and {@code security.approval_gate: {required: ...}}.
 */
public final class OsopLoader {

    /** The full schema's twelve node types, plus the editor's four. */
    public static final Set<String> NODE_TYPES = Set.of("human", "agent", "api", "cli", "db", "git", "docker", "cicd",
            "mcp", "system", "infra", "data", "company", "department", "event", "gateway");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");
    private static final Pattern ITERATOR_VAR = Pattern.compile("[_a-zA-Z][_a-zA-Z0-9]*");

    private final NodeTypeRegistry registry;

    public OsopLoader(NodeTypeRegistry registry) {
        this.registry = registry;
    }

    /** A registry that knows the OSOP node types (as {@code osop.<type>}) and the sub-workflow call a workflow_ref makes. */
    public static NodeTypeRegistry osopTypes() {
        return t -> SubWorkflowCall.isSubWorkflow(t) || t.startsWith("osop.") && NODE_TYPES.contains(t.substring(5));
    }

    public LoadResult<WorkflowDefinition> load(Reader reader) {
        return load(OpenWopLoader.readAll(reader));
    }

    public LoadResult<WorkflowDefinition> load(InputStream in) {
        try {
            return load(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public LoadResult<WorkflowDefinition> load(String yaml) {
        List<Problem> problems = new ArrayList<>();
        JsonDocument doc = JsonDocument.parse(yaml, InputFormat.YAML, problems);
        if (doc == null) {
            return LoadResult.of(null, problems);
        }
        JsonNode root = doc.root();
        if (!root.isObject()) {
            problems.add(doc.error("osop.type", "", "An OSOP document must be a mapping with osop_version, id, name,"
                    + " nodes and edges."));
            return LoadResult.of(null, problems);
        }
        if (root.has("osoplog_version") && !root.has("osop_version")) {
            problems.add(doc.error("osop.run_log", "/osoplog_version", "This is an OSOP run log (.osoplog): the record"
                    + " of one run of workflow '" + JsonDocument.text(root, "workflow_id") + "', not a workflow"
                    + " definition. Load the .osop file that ran instead."));
            return LoadResult.of(null, problems);
        }
        for (Problem p : SchemaValidator.validate(SchemaValidator.OSOP_FULL, doc, "osop.schema", Problem.Severity.WARNING)) {
            if (!isAcceptedDeviation(p)) {
                problems.add(p);
            }
        }
        String version = JsonDocument.text(root, "osop_version");
        if (version == null) {
            problems.add(doc.error("osop.required", "/osop_version", "osop_version is required (for example \"1.0\")."));
        } else if (!version.matches("[0-9]+\\.[0-9]+(\\.[0-9]+)?")) {
            problems.add(doc.error("osop.version", "/osop_version", "osop_version '" + version
                    + "' must look like 1.0 or 1.1.0."));
        }
        for (String field : List.of("id", "name")) {
            if (JsonDocument.text(root, field) == null) {
                problems.add(doc.error("osop.required", "/" + field, "The workflow needs a " + field + "."));
            }
        }
        JsonNode nodesJson = root.path("nodes");
        if (!nodesJson.isArray() || nodesJson.isEmpty()) {
            problems.add(doc.error("osop.required", "/nodes", "nodes must be a non-empty list."));
        }
        JsonNode edgesJson = root.path("edges");
        if (!edgesJson.isMissingNode() && !edgesJson.isArray()) {
            problems.add(doc.error("osop.type", "/edges", "edges must be a list."));
        }
        Set<String> nodeIds = new LinkedHashSet<>();
        for (JsonNode n : nodesJson.isArray() ? nodesJson.values() : List.<JsonNode>of()) {
            String id = JsonDocument.text(n, "id");
            if (id != null) {
                nodeIds.add(id);
            }
        }
        ExpressionEnvironment env = ExpressionEnvironment.forNodes(nodeIds);

        List<Node> nodes = new ArrayList<>();
        List<String> nodePointers = new ArrayList<>();
        int i = 0;
        for (JsonNode n : nodesJson.isArray() ? nodesJson.values() : List.<JsonNode>of()) {
            String p = JsonDocument.pointer("nodes", i++);
            Node node = node(n, p, doc, problems);
            if (node != null) {
                nodes.add(node);
                nodePointers.add(p);
            }
        }
        List<Edge> edges = new ArrayList<>();
        List<String> edgePointers = new ArrayList<>();
        i = 0;
        for (JsonNode e : edgesJson.isArray() ? edgesJson.values() : List.<JsonNode>of()) {
            String p = JsonDocument.pointer("edges", i);
            for (Edge edge : edges(e, i, p, env, doc, problems)) {
                edges.add(edge);
                edgePointers.add(p);
            }
            i++;
        }
        List<Trigger> triggers = new ArrayList<>();
        i = 0;
        for (JsonNode t : root.path("triggers").isArray() ? root.path("triggers").values() : List.<JsonNode>of()) {
            triggers.add(new Trigger("trigger-" + i++, JsonDocument.text(t, "type"), null, true,
                    JsonDocument.plainMap(t.get("config"))));
        }
        NodeTypeRegistry types = t -> osopTypes().isKnown(t) || registry.isKnown(t);
        for (Problem gp : GraphChecker.check(nodes, nodePointers, edges, edgePointers, Set.of(), types, false)) {
            problems.add(doc.locate(gp));
        }
        if (problems.stream().anyMatch(Problem::isError)) {
            return LoadResult.of(null, problems);
        }
        Long timeoutSec = JsonDocument.longValue(root, "timeout_sec");
        Map<String, Object> metadata = new LinkedHashMap<>(JsonDocument.plainMap(root.get("metadata")));
        metadata.put("osop_version", version);
        Object tags = JsonDocument.plain(root.get("tags"));
        if (tags != null) {
            metadata.put("tags", tags);
        }
        WorkflowDefinition def = new WorkflowDefinition(JsonDocument.text(root, "id"), JsonDocument.text(root, "name"),
                JsonDocument.text(root, "version"), JsonDocument.text(root, "description"), SourceFormat.OSOP, nodes,
                edges, List.of(), triggers, new Settings(timeoutSec == null ? null : timeoutSec * 1000, null, null, null),
                metadata);
        return LoadResult.of(def, problems);
    }

    /** Deviations Capstan accepts on purpose (see the OSOP digest): not worth a warning. */
    private static boolean isAcceptedDeviation(Problem p) {
        return p.message().contains("'purpose'") || (p.pointer().startsWith("/edges/") && p.message().contains("'condition'"));
    }

    private Node node(JsonNode n, String p, JsonDocument doc, List<Problem> problems) {
        String id = JsonDocument.text(n, "id");
        String type = JsonDocument.text(n, "type");
        if (!n.isObject()) {
            problems.add(doc.error("osop.node", p, "Each node must be a mapping with at least id and type."));
            return null;
        }
        if (id == null) {
            problems.add(doc.error("osop.required", p + "/id", "The node needs an id."));
            return null;
        }
        if (type == null) {
            problems.add(doc.error("osop.required", p + "/type", "Node '" + id + "' needs a type."));
            return null;
        }
        if (!NODE_TYPES.contains(type)) {
            problems.add(doc.error("osop.node_type", p + "/type", "Node '" + id + "' has type '" + type
                    + "', which is not an OSOP node type (" + String.join(", ", new java.util.TreeSet<>(NODE_TYPES)) + ")."));
            return null;
        }
        Map<String, Object> raw = JsonDocument.plainMap(n);
        Map<String, Object> config = new LinkedHashMap<>(raw);
        config.remove("id");
        config.remove("type");
        config.remove("name");
        Map<String, Object> sec = Values.asMap(raw.get("security"));
        boolean gate = gateRequired(raw.get("approval_gate")) || gateRequired(sec.get("approval_gate"));
        String subtype = raw.get("subtype") instanceof String s ? s : null;
        Security security = new Security(gate, sec.get("risk_level") instanceof String r ? r.toLowerCase(Locale.ROOT) : null,
                names(sec.get("secrets")), names(sec.get("permissions")));
        NodeKind kind = NodeKind.TASK;
        InterruptSpec interrupt = null;
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("title", raw.getOrDefault("name", id));
        Object desc = raw.getOrDefault("purpose", raw.get("description"));
        if (desc != null) {
            data.put("description", desc);
        }
        if ("human".equals(type)) {
            kind = NodeKind.INTERRUPT;
            if ("input".equals(subtype)) {
                interrupt = new InterruptSpec(InterruptKind.CLARIFICATION, data, null, null);
            } else if (gate || subtype == null || List.of("approval", "review", "decision").contains(subtype)) {
                interrupt = new InterruptSpec(InterruptKind.APPROVAL, data, ResumeSchemas.approval(null), gateTimeout(raw));
            } else {
                data.put("customKind", "osop.human." + subtype);
                interrupt = new InterruptSpec(InterruptKind.CUSTOM, data, null, null);
            }
        } else if (gate) {
            interrupt = new InterruptSpec(InterruptKind.APPROVAL, data, ResumeSchemas.approval(null), gateTimeout(raw));
        }
        Long timeoutMs = null;
        Object timeoutSec = raw.get("timeout_sec");
        if (timeoutSec instanceof Number num) {
            timeoutMs = Math.round(num.doubleValue() * 1000);
        } else if (raw.get("timeout") instanceof String t) {
            timeoutMs = durationMs(t);
            if (timeoutMs == null) {
                problems.add(doc.warning("osop.timeout", p + "/timeout", "Timeout '" + t + "' is not a duration like 30s,"
                        + " 10m or 1h; it is ignored."));
            }
        }
        Map<String, Object> cost = Values.asMap(raw.get("cost"));
        String typeId = "osop." + type;
        Map<String, PortValue> inputs = Map.of();
        if (raw.get("workflow_ref") != null) {
            // The node runs another registered workflow as a child run; the host starts it and waits for its end.
            if (!(raw.get("workflow_ref") instanceof String ref) || ref.isBlank()) {
                problems.add(doc.error("osop.workflow_ref", p + "/workflow_ref", "Node '" + id + "' has a workflow_ref"
                        + " that is not a workflow id."));
            } else if (kind == NodeKind.INTERRUPT) {
                problems.add(doc.error("osop.workflow_ref", p + "/workflow_ref", "Node '" + id + "' waits for a person"
                        + " and also names a sub-workflow; a node does one or the other."));
            } else {
                typeId = SubWorkflowCall.TYPE_ID;
                config.put("workflowId", ref);
                Map<String, PortValue> childInputs = new LinkedHashMap<>();
                Values.asMap(raw.get("workflow_inputs")).forEach((k, v) -> childInputs.put(k, new PortValue.Static(v)));
                inputs = childInputs;
            }
        }
        return new Node(id, typeId, raw.get("name") instanceof String s ? s : id, kind, config, inputs,
                retry(raw), kind == NodeKind.INTERRUPT ? null : timeoutMs, security,
                new CostEstimate(Values.asDouble(cost.get("estimated")), null, null), interrupt);
    }

    private static Long gateTimeout(Map<String, Object> raw) {
        Map<String, Object> gate = Values.asMap(raw.get("approval_gate"));
        Double hours = Values.asDouble(gate.get("timeout_hours"));
        return hours == null ? null : Math.round(hours * 3_600_000);
    }

    private static boolean gateRequired(Object gate) {
        if (gate instanceof Boolean b) {
            return b;
        }
        if (gate instanceof Map<?, ?> m) {
            return !Boolean.FALSE.equals(m.get("required"));
        }
        return false;
    }

    private static List<String> names(Object o) {
        List<String> out = new ArrayList<>();
        if (o instanceof List<?> l) {
            for (Object x : l) {
                if (x instanceof Map<?, ?> m) {
                    Object name = m.containsKey("name") ? m.get("name") : m.get("id");
                    if (name != null) {
                        out.add(String.valueOf(name));
                    }
                } else if (x != null) {
                    out.add(String.valueOf(x));
                }
            }
        }
        return out;
    }

    /** retry_policy {max_retries, strategy fixed|exponential_backoff, backoff_sec}; SPEC.md's retry{max_attempts, backoff}. */
    private static RetryPolicy retry(Map<String, Object> raw) {
        Map<String, Object> r = Values.asMap(raw.get("retry_policy"));
        Long max = Values.asLong(r.get("max_retries"));
        if (r.isEmpty()) {
            r = Values.asMap(raw.get("retry"));
            Long attempts = Values.asLong(r.get("max_attempts"));
            max = attempts == null ? null : Math.max(0, attempts - 1);
        }
        if (max == null || max <= 0) {
            return RetryPolicy.NONE;
        }
        Double backoffSec = Values.asDouble(r.get("backoff_sec"));
        long delay = backoffSec == null ? 1_000 : Math.round(backoffSec * 1000);
        Object strategy = r.getOrDefault("strategy", r.get("backoff"));
        if (strategy != null && String.valueOf(strategy).startsWith("exponential")) {
            return RetryPolicy.exponential(max.intValue(), delay, 2.0, 300_000);
        }
        return RetryPolicy.fixed(max.intValue(), delay);
    }

    static Long durationMs(String s) {
        Matcher m = DURATION.matcher(s.trim());
        if (!m.matches()) {
            return null;
        }
        long v = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> v;
            case "m" -> v * 60_000;
            case "h" -> v * 3_600_000;
            default -> v * 1_000;
        };
    }

    private static List<Edge> edges(JsonNode e, int index, String p, ExpressionEnvironment env, JsonDocument doc,
                                    List<Problem> problems) {
        String from = JsonDocument.text(e, "from");
        String to = JsonDocument.text(e, "to");
        if (from == null || to == null) {
            problems.add(doc.error("osop.edge", p, "Each edge needs from and to."));
            return List.of();
        }
        String modeText = JsonDocument.text(e, "mode");
        EdgeMode mode;
        try {
            mode = EdgeMode.parse(modeText);
        } catch (IllegalArgumentException unknown) {
            problems.add(doc.error("osop.edge_mode", p + "/mode", "Edge mode '" + modeText + "' is not one of sequential,"
                    + " conditional, parallel, loop, event, fallback, error, timeout, spawn, switch."));
            return List.of();
        }
        // for_each + iterator_var: a forward loop edge whose target runs once per element (see the README);
        // spawn_count n > 1: n sequential visits of the spawn target.
        String forEachText = JsonDocument.text(e, "for_each");
        String iteratorVar = JsonDocument.text(e, "iterator_var");
        CompiledExpression forEach = null;
        if (forEachText != null || iteratorVar != null) {
            if (mode != EdgeMode.LOOP) {
                problems.add(doc.error("osop.for_each_mode", p + (forEachText != null ? "/for_each" : "/iterator_var"),
                        "Edge " + from + " → " + to + " uses for_each/iterator_var on a " + mode.wireName()
                                + " edge; iteration belongs on a loop edge (mode: loop)."));
            } else if (forEachText == null || iteratorVar == null) {
                problems.add(doc.error("osop.for_each_incomplete", p + (forEachText == null ? "" : "/for_each"),
                        "Edge " + from + " → " + to + " needs both for_each (the list) and iterator_var (the name of"
                                + " the current element, read as loop.<iterator_var>)."));
            } else if (!ITERATOR_VAR.matcher(iteratorVar).matches()) {
                problems.add(doc.error("osop.iterator_var", p + "/iterator_var", "iterator_var '" + iteratorVar
                        + "' must be an identifier (letters, digits, _), so that loop." + iteratorVar + " can be read."));
            } else {
                String source = forEachText.trim();
                if (source.startsWith("${") && source.endsWith("}")) {
                    source = source.substring(2, source.length() - 1); // '${inputs.items}' is the CEL 'inputs.items'
                }
                CompileResult r = env.compileValue(source);
                Expressions.report(r, p + "/for_each", doc, problems);
                forEach = r.expression();
            }
        }
        Long spawnCount = JsonDocument.longValue(e, "spawn_count");
        if (spawnCount != null && spawnCount > 1 && mode != EdgeMode.SPAWN) {
            problems.add(doc.error("osop.spawn_count_mode", p + "/spawn_count", "Edge " + from + " → " + to
                    + " asks for " + spawnCount + " spawned children on a " + mode.wireName() + " edge; spawn_count"
                    + " belongs on a spawn edge (mode: spawn)."));
        }
        String when = JsonDocument.text(e, "when");
        String condition = JsonDocument.text(e, "condition");
        String whereExpr = p + "/when";
        if (when == null && condition != null) {
            when = condition;
            whereExpr = p + "/condition";
        } else if (when != null && condition != null && !when.equals(condition)) {
            problems.add(doc.error("osop.edge_condition", p, "The edge has both when and condition, and they differ."));
        }
        String id = "e" + index + ":" + from + "->" + to;
        JoinRule join;
        try {
            join = e.has("join_mode") ? JoinRule.parseOsop(JsonDocument.text(e, "join_mode")) : JoinRule.DEFAULT;
        } catch (IllegalArgumentException unknown) {
            problems.add(doc.error("osop.join_mode", p + "/join_mode", "join_mode must be wait_all, wait_any or wait_n."));
            join = JoinRule.DEFAULT;
        }
        Long joinCount = JsonDocument.longValue(e, "join_count");
        if (join == JoinRule.AT_LEAST_N && joinCount == null) {
            problems.add(doc.error("osop.join_count", p, "join_mode wait_n needs join_count."));
        }
        String label = JsonDocument.text(e, "label");
        Long maxIter = JsonDocument.longValue(e, "x-max_iterations");
        if (mode == EdgeMode.SWITCH) {
            CompiledExpression selector = null;
            if (when != null) {
                CompileResult r = env.compileValue(when);
                Expressions.report(r, whereExpr, doc, problems);
                selector = r.expression();
            }
            List<Edge> out = new ArrayList<>();
            JsonNode cases = e.path("cases");
            int c = 0;
            for (JsonNode k : cases.isArray() ? cases.values() : List.<JsonNode>of()) {
                String target = JsonDocument.text(k, "to");
                if (target == null) {
                    problems.add(doc.error("osop.switch", p + "/cases/" + c, "A switch case needs 'to'."));
                } else {
                    out.add(new Edge(id + "#case" + c, from, target, EdgeMode.SWITCH, selector, join, null, id,
                            JsonDocument.plain(k.get("value")), false, null, label));
                }
                c++;
            }
            String defaultTo = JsonDocument.text(e, "default_to");
            if (defaultTo != null) {
                out.add(new Edge(id + "#default", from, defaultTo, EdgeMode.SWITCH, selector, join, null, id, null, true,
                        null, label));
            }
            if (out.isEmpty()) {
                problems.add(doc.error("osop.switch", p, "A switch edge needs cases (and optionally default_to)."));
            }
            return out;
        }
        CompiledExpression compiled = null;
        if (when != null) {
            if (mode == EdgeMode.CONDITIONAL || mode == EdgeMode.LOOP || mode == EdgeMode.ERROR || mode == EdgeMode.EVENT) {
                CompileResult r = env.compileCondition(when);
                Expressions.report(r, whereExpr, doc, problems);
                compiled = r.expression();
            } else {
                problems.add(doc.warning("osop.edge_condition_ignored", whereExpr, "A condition on a " + mode.wireName()
                        + " edge is not evaluated; use mode conditional, loop or error."));
            }
        }
        return List.of(new Edge(id, from, to, mode, compiled, join, joinCount == null ? null : joinCount.intValue(),
                null, null, false, maxIter == null ? null : maxIter.intValue(), label, forEach,
                forEach == null ? null : iteratorVar,
                mode == EdgeMode.SPAWN && spawnCount != null && spawnCount > 1 ? spawnCount.intValue() : null));
    }
}
