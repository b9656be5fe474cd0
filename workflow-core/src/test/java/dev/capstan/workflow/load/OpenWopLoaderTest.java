package dev.capstan.workflow.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.error.LoadResult;
import dev.capstan.workflow.error.Problem;
import dev.capstan.workflow.model.EdgeMode;
import dev.capstan.workflow.model.InterruptKind;
import dev.capstan.workflow.model.JoinRule;
import dev.capstan.workflow.model.NodeKind;
import dev.capstan.workflow.model.PortValue;
import dev.capstan.workflow.model.WorkflowDefinition;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class OpenWopLoaderTest {

    /** Fixtures that must be rejected, with the problem code that states why. */
    private static final Map<String, String> EXPECTED_REJECTIONS = Map.of(
            "conformance-capability-missing.json", "graph.unknown_type");

    private final OpenWopLoader loader = new OpenWopLoader(TestRegistries.openWop());

    static Stream<String> fixtures() {
        return Fixtures.list("openwop", ".*\\.json").stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void everyConformanceFixtureLoadsOrIsRejectedForItsStatedReason(String file) {
        LoadResult<WorkflowDefinition> r = loader.load(Fixtures.read("openwop/" + file));
        String expectedCode = EXPECTED_REJECTIONS.get(file);
        if (expectedCode == null) {
            assertThat(r.errors()).as(file).isEmpty();
            WorkflowDefinition def = r.orThrow();
            assertThat(def.nodes()).isNotEmpty();
            assertThat(def.graph().topologicalOrder()).hasSameSizeAs(def.nodes());
        } else {
            assertThat(r.isLoaded()).isFalse();
            assertThat(r.errors()).extracting(Problem::code).contains(expectedCode);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void removingTheFirstNodesIdIsRejectedWithItsPointerAndLine(String file) {
        String json = Fixtures.read("openwop/" + file);
        String broken = json.replaceFirst("\"id\"\\s*:\\s*\"[^\"]*\"\\s*,", "\"_id_removed\": 1,");
        // the first "id" is the workflow's own; remove the first node's instead
        int nodesAt = json.indexOf("\"nodes\"");
        String head = json.substring(0, nodesAt);
        String tail = json.substring(nodesAt).replaceFirst("\"id\"\\s*:\\s*\"[^\"]*\"\\s*,", "");
        broken = head + tail;
        LoadResult<WorkflowDefinition> r = loader.load(broken);
        assertThat(r.isLoaded()).isFalse();
        assertThat(r.errors()).anySatisfy(p -> {
            assertThat(p.pointer()).isEqualTo("/nodes/0");
            assertThat(p.message()).contains("'id'");
            assertThat(p.line()).isGreaterThan(0);
        });
    }

    @Test
    void everyProblemIsListedNotJustTheFirst() {
        String json = """
                {"id": "Bad Id", "name": "x", "version": "1", "triggers": [], "variables": [], "metadata": {},
                 "settings": {}, "nodes": [
                  {"id": "a", "typeId": "core.noop", "name": "A", "position": {"x": 0, "y": 0}, "config": {}, "inputs": {}},
                  {"id": "a", "typeId": "core.noop", "name": "A2", "position": {"x": 0, "y": 0}, "config": {}, "inputs": {}},
                  {"id": "b", "typeId": "nope.unknown", "name": "B", "position": {"x": 0, "y": 0}, "config": {}, "inputs": {}}
                 ],
                 "edges": [{"id": "e1", "sourceNodeId": "a", "targetNodeId": "ghost"},
                           {"id": "e2", "sourceNodeId": "a", "targetNodeId": "b",
                            "condition": {"type": "expression", "expression": "output.x >"}}]}
                """;
        LoadResult<WorkflowDefinition> r = loader.load(json);
        assertThat(r.isLoaded()).isFalse();
        assertThat(r.errors()).extracting(Problem::code).contains("schema.pattern", "graph.duplicate_node",
                "graph.unknown_type", "graph.missing_node", "expression.compile");
        assertThat(r.errors()).filteredOn(p -> p.code().equals("graph.missing_node"))
                .singleElement().satisfies(p -> {
                    assertThat(p.pointer()).isEqualTo("/edges/0");
                    assertThat(p.line()).isEqualTo(7);
                });
        assertThat(r.errors()).filteredOn(p -> p.code().equals("expression.compile"))
                .first().satisfies(p -> assertThat(p.pointer()).isEqualTo("/edges/1/condition/expression"));
    }

    @Test
    void aConnectionToAMissingNodeIsAnErrorAndAnUndeclaredVariableAWarning() {
        String json = """
                {"id": "c", "name": "c", "version": "1", "triggers": [], "variables": [], "metadata": {}, "settings": {},
                 "nodes": [{"id": "a", "typeId": "core.noop", "name": "A", "position": {"x": 0, "y": 0}, "config": {},
                   "inputs": {"x": {"type": "connection", "nodeId": "ghost", "outputKey": "y"},
                              "v": {"type": "variable", "variableName": "undeclared"}}}],
                 "edges": []}
                """;
        LoadResult<WorkflowDefinition> r = loader.load(json);
        assertThat(r.errors()).singleElement().satisfies(p -> {
            assertThat(p.code()).isEqualTo("graph.missing_node");
            assertThat(p.pointer()).isEqualTo("/nodes/0/inputs/x");
            assertThat(p.line()).isEqualTo(3);
        });
        assertThat(r.warnings()).extracting(Problem::code).containsExactly("graph.unknown_variable");
    }

    @Test
    void invalidJsonIsReportedWithLineAndColumn() {
        LoadResult<WorkflowDefinition> r = loader.load("{\n  \"id\": \"x\",\n  \"nodes\": [,]\n}");
        assertThat(r.errors()).singleElement().satisfies(p -> {
            assertThat(p.code()).isEqualTo("parse.syntax");
            assertThat(p.line()).isEqualTo(3);
            assertThat(p.column()).isGreaterThan(1);
        });
    }

    @Test
    void mapsInputsConditionsTriggerRulesAndInterruptNodes() {
        String json = """
                {"id": "m", "name": "m", "version": "1", "triggers": [{"id": "t", "type": "manual"}],
                 "variables": [{"name": "limit", "type": "number", "defaultValue": 3}], "metadata": {},
                 "settings": {"timeout": 5000, "maxLoopbackIterations": 2}, "nodes": [
                  {"id": "a", "typeId": "core.noop", "name": "A", "position": {"x": 0, "y": 0}, "config": {},
                   "inputs": {"s": {"type": "static", "value": 1}, "v": {"type": "variable", "variableName": "limit"},
                              "e": {"type": "expression", "expression": "inputs.n + 1"}}},
                  {"id": "gate", "typeId": "core.approvalGate", "name": "G", "position": {"x": 0, "y": 0},
                   "config": {"actions": ["accept", "reject"]}, "inputs": {"c": {"type": "connection", "nodeId": "a", "outputKey": "out"}}}
                 ],
                 "edges": [{"id": "e1", "sourceNodeId": "a", "targetNodeId": "gate", "triggerRule": "none_failed",
                            "condition": {"type": "equals", "left": "status", "right": "ok"}}]}
                """;
        WorkflowDefinition def = loader.load(json).orThrow();
        assertThat(def.node("a").inputs()).containsKeys("s", "v", "e");
        assertThat(def.node("a").inputs().get("e")).isInstanceOf(PortValue.Expression.class);
        assertThat(def.node("gate").kind()).isEqualTo(NodeKind.INTERRUPT);
        assertThat(def.node("gate").interrupt().kind()).isEqualTo(InterruptKind.APPROVAL);
        assertThat(def.edges().get(0).mode()).isEqualTo(EdgeMode.CONDITIONAL);
        assertThat(def.edges().get(0).condition().source()).isEqualTo("output.status == \"ok\"");
        assertThat(def.edges().get(0).joinRule()).isEqualTo(JoinRule.NONE_FAILED);
        assertThat(def.settings().runTimeoutMs()).isEqualTo(5000L);
        assertThat(def.settings().maxLoopIterations()).isEqualTo(2);
        assertThat(def.variables()).extracting(v -> v.defaultValue()).containsExactly(3L);
        assertThat(List.of(def.triggers().get(0).type())).containsExactly("manual");
    }
}
