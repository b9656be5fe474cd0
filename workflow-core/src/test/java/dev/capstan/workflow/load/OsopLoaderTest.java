package dev.capstan.workflow.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.engine.SubWorkflowCall;
import dev.capstan.workflow.error.LoadResult;
import dev.capstan.workflow.error.Problem;
import dev.capstan.workflow.graph.NodeTypeRegistry;
import dev.capstan.workflow.model.EdgeMode;
import dev.capstan.workflow.model.InterruptKind;
import dev.capstan.workflow.model.NodeKind;
import dev.capstan.workflow.model.PortValue;
import dev.capstan.workflow.model.RetryPolicy;
import dev.capstan.workflow.model.WorkflowDefinition;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OsopLoaderTest {

    private final OsopLoader loader = new OsopLoader(NodeTypeRegistry.of(java.util.Set.of()));

    static Stream<String> examples() {
        return Fixtures.list("osop", ".*\\.osop(\\.yaml)?").stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void everyOsopExampleLoads(String file) {
        LoadResult<WorkflowDefinition> r = loader.load(Fixtures.read("osop/" + file));
        assertThat(r.errors()).as(file).isEmpty();
        WorkflowDefinition def = r.orThrow();
        assertThat(def.nodes()).allSatisfy(n -> assertThat(n.typeId()).startsWith("osop."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void anUnknownNodeTypeIsRejectedWithPointerLineAndColumn(String file) {
        String yaml = Fixtures.read("osop/" + file);
        String broken = yaml.replaceFirst("(\\n\\s*(- )?type:\\s*)\"?[a-z]+\"?", "$1robot");
        LoadResult<WorkflowDefinition> r = loader.load(broken);
        assertThat(r.isLoaded()).isFalse();
        assertThat(r.errors()).anySatisfy(p -> {
            assertThat(p.code()).isEqualTo("osop.node_type");
            assertThat(p.pointer()).matches("/nodes/\\d+/type");
            assertThat(p.line()).isGreaterThan(1);
            assertThat(p.column()).isGreaterThan(1);
            assertThat(p.message()).contains("robot");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void anEdgeToAMissingNodeIsRejectedWithItsPointer(String file) {
        String yaml = Fixtures.read("osop/" + file);
        String broken = yaml.replaceFirst("(\\n\\s*-?\\s*to:\\s*)\"?[A-Za-z0-9_\\-]+\"?", "$1ghost_node");
        LoadResult<WorkflowDefinition> r = loader.load(broken);
        assertThat(r.isLoaded()).isFalse();
        assertThat(r.errors()).anySatisfy(p -> {
            assertThat(p.code()).isEqualTo("graph.missing_node");
            assertThat(p.pointer()).startsWith("/edges/");
            assertThat(p.message()).contains("ghost_node");
            assertThat(p.line()).isGreaterThan(1);
        });
    }

    @Test
    void theSeedWorkflowMapsApprovalGateConditionsAndTheFallbackLoop() {
        WorkflowDefinition def = loader.load(Fixtures.read("osop/run-api-workflow.osop.yaml")).orThrow();
        assertThat(def.node("human_approve").kind()).isEqualTo(NodeKind.INTERRUPT);
        assertThat(def.node("human_approve").interrupt().kind()).isEqualTo(InterruptKind.APPROVAL);
        assertThat(def.node("human_approve").security().approvalGate()).isTrue();
        assertThat(def.edges()).filteredOn(e -> e.mode() == EdgeMode.CONDITIONAL)
                .extracting(e -> e.condition().source())
                .containsExactly("preflight_check.risk_score > 30", "preflight_check.risk_score <= 30");
        var fallback = def.edges().stream().filter(e -> e.mode() == EdgeMode.FALLBACK).findFirst().orElseThrow();
        assertThat(def.graph().isLoopEdge(fallback)).isTrue();
        assertThat(def.graph().loopBody(fallback)).contains("select_workflow", "preflight_check", "execute");
    }

    @Test
    void switchEdgesExpandIntoOneEdgePerCaseAndADefault() {
        WorkflowDefinition def = loader.load(Fixtures.read("osop/switch-intent-routing.osop")).orThrow();
        assertThat(def.edges()).filteredOn(e -> e.mode() == EdgeMode.SWITCH)
                .extracting(e -> e.to())
                .containsExactly("billing_handler", "tech_handler", "sales_handler", "fallback_handler");
    }

    @Test
    void bareIdentifiersInConditionsLoadWithAWarningNotAnError() {
        LoadResult<WorkflowDefinition> r = loader.load(Fixtures.read("osop/sop-01-create-forum-post.osop.yaml"));
        assertThat(r.isLoaded()).isTrue();
        assertThat(r.warnings()).extracting(Problem::code).contains("expression.free_identifier");
    }

    @Test
    void aCelSyntaxErrorIsRejectedWithTheConditionsLocation() {
        String yaml = """
                osop_version: "1.0"
                id: w
                name: W
                nodes:
                  - id: a
                    type: api
                  - id: b
                    type: cli
                edges:
                  - from: a
                    to: b
                    mode: conditional
                    when: "a.x >> 3"
                """;
        LoadResult<WorkflowDefinition> r = loader.load(yaml);
        assertThat(r.errors()).anySatisfy(p -> {
            assertThat(p.code()).isEqualTo("expression.compile");
            assertThat(p.pointer()).isEqualTo("/edges/0/when");
            assertThat(p.line()).isEqualTo(13);
            assertThat(p.message()).contains("column");
        });
    }

    @Test
    void aSequentialCycleIsRejectedButALoopEdgeIsAccepted() {
        String cyclic = """
                osop_version: "1.0"
                id: w
                name: W
                nodes: [{id: a, type: api}, {id: b, type: api}]
                edges: [{from: a, to: b}, {from: b, to: a}]
                """;
        assertThat(loader.load(cyclic).errors()).extracting(Problem::code).containsExactly("graph.unbounded_cycle");
        String loop = cyclic.replace("{from: b, to: a}", "{from: b, to: a, mode: loop, when: 'b.again == true'}");
        assertThat(loader.load(loop).errors()).isEmpty();
    }

    @Test
    void retryPolicyAndTimeoutAreConvertedToMilliseconds() {
        String yaml = """
                osop_version: "1.0"
                id: w
                name: W
                nodes:
                  - id: a
                    type: api
                    timeout_sec: 30
                    retry_policy: {max_retries: 3, strategy: exponential_backoff, backoff_sec: 2}
                edges: []
                """;
        WorkflowDefinition def = loader.load(yaml).orThrow();
        assertThat(def.node("a").timeoutMs()).isEqualTo(30_000L);
        assertThat(def.node("a").retry().maxRetries()).isEqualTo(3);
        assertThat(def.node("a").retry().backoff()).isEqualTo(RetryPolicy.Backoff.EXPONENTIAL);
        assertThat(def.node("a").retry().delayBeforeRetry(1)).isEqualTo(2_000L);
        assertThat(def.node("a").retry().delayBeforeRetry(3)).isEqualTo(8_000L);
    }

    @Test
    void invalidYamlIsReportedWithLineAndColumn() {
        LoadResult<WorkflowDefinition> r = loader.load("osop_version: \"1.0\"\nid: w\nnodes: [a, b\nedges: []\n");
        assertThat(r.errors()).singleElement().satisfies(p -> {
            assertThat(p.code()).isEqualTo("parse.syntax");
            assertThat(p.line()).isGreaterThan(1);
        });
    }

    /** Found by the generated-run properties: the cycle walk entered the loop from its tail and blamed n2 -> n5. */
    @Test
    void aDeclaredLoopEdgeClosesTheCycleWhicheverWayTheGraphIsWalked() {
        String yaml = """
                osop_version: "1.1"
                id: loop-order
                name: loop order
                nodes:
                  - {id: n0, type: agent, purpose: p}
                  - {id: n1, type: agent, purpose: p}
                  - {id: n2, type: agent, purpose: p}
                  - {id: n5, type: agent, purpose: p}
                edges:
                  - {from: n0, to: n1}
                  - {from: n0, to: n2}
                  - {from: n2, to: n5}
                  - {from: n1, to: n5}
                  - {from: n5, to: n2, mode: loop, when: "inputs.x > 2", x-max_iterations: 2}
                """;
        WorkflowDefinition def = new OsopLoader(NodeTypeRegistry.acceptAll()).load(yaml).orThrow();
        assertThat(def.graph().unboundedBackEdges()).isEmpty();
        assertThat(def.edges().stream().filter(def.graph()::isLoopEdge).map(e -> e.from() + ">" + e.to()))
                .containsExactly("n5>n2");
        assertThat(def.graph().loopBody(def.edges().get(4))).containsExactlyInAnyOrder("n2", "n5");
    }

    /** for_each/iterator_var and spawn_count where they cannot mean what they say are rejected with their path. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "osop.for_each_mode             | /edges/0/for_each     | {from: a, to: b, mode: sequential, for_each: 'inputs.items', iterator_var: item}",
            "osop.for_each_incomplete       | /edges/0/for_each     | {from: a, to: b, mode: loop, for_each: 'inputs.items'}",
            "osop.for_each_incomplete       | /edges/0              | {from: a, to: b, mode: loop, iterator_var: item}",
            "osop.iterator_var              | /edges/0/iterator_var | {from: a, to: b, mode: loop, for_each: 'inputs.items', iterator_var: 'my item'}",
            "expression.compile             | /edges/0/for_each     | {from: a, to: b, mode: loop, for_each: 'inputs.items +', iterator_var: item}",
            "osop.spawn_count_mode          | /edges/0/spawn_count  | {from: a, to: b, mode: parallel, spawn_count: 3}",
    })
    void misplacedIterationFieldsAreRejectedWithTheirPath(String code, String pointer, String edge) {
        String yaml = """
                osop_version: "1.1"
                id: w
                name: W
                nodes:
                  - {id: a, type: agent, purpose: p}
                  - {id: b, type: agent, purpose: p}
                edges:
                  - %s
                """.formatted(edge);
        LoadResult<WorkflowDefinition> r = loader.load(yaml);
        assertThat(r.isLoaded()).isFalse();
        assertThat(r.errors()).anySatisfy(p -> {
            assertThat(p.code()).isEqualTo(code);
            assertThat(p.pointer()).isEqualTo(pointer);
            assertThat(p.line()).isEqualTo(8);
        });
    }

    @Test
    void forEachLoopEdgesAndSpawnCountsLoad() {
        String yaml = """
                osop_version: "1.1"
                id: w
                name: W
                nodes:
                  - {id: a, type: agent, purpose: p}
                  - {id: b, type: agent, purpose: p}
                  - {id: c, type: agent, purpose: p}
                edges:
                  - {from: a, to: b, mode: loop, when: 'true', for_each: '${inputs.items}', iterator_var: item}
                  - {from: b, to: c, mode: spawn, spawn_count: 3}
                """;
        WorkflowDefinition def = loader.load(yaml).orThrow();
        assertThat(def.edges().get(0).forEach().source()).isEqualTo("inputs.items");
        assertThat(def.edges().get(0).iteratorVar()).isEqualTo("item");
        assertThat(def.graph().isLoopEdge(def.edges().get(0))).isFalse();
        assertThat(def.edges().get(1).spawnCount()).isEqualTo(3);
    }

    @Test
    void aForEachEdgeThatClosesACycleIsRejected() {
        String yaml = """
                osop_version: "1.1"
                id: w
                name: W
                nodes:
                  - {id: a, type: agent, purpose: p}
                  - {id: b, type: agent, purpose: p}
                edges:
                  - {from: a, to: b}
                  - {from: b, to: a, mode: loop, for_each: 'inputs.items', iterator_var: item}
                """;
        LoadResult<WorkflowDefinition> r = loader.load(yaml);
        assertThat(r.isLoaded()).isFalse();
        assertThat(r.errors()).extracting(Problem::code, Problem::pointer).containsExactly(
                org.assertj.core.groups.Tuple.tuple("osop.for_each_cycle", "/edges/1/for_each"));
        assertThat(r.errors().get(0).line()).isEqualTo(9);
    }

    @Test
    void aSubWorkflowReferenceBecomesASubWorkflowCallWithItsInputs() {
        String yaml = """
                osop_version: "1.1"
                id: w
                name: W
                nodes:
                  - {id: a, type: agent, purpose: p}
                  - {id: b, type: agent, purpose: p, workflow_ref: child-flow, workflow_inputs: {ticket: T-1, priority: 2}}
                edges:
                  - {from: a, to: b, mode: spawn, spawn_count: 1}
                """;
        LoadResult<WorkflowDefinition> r = loader.load(yaml);
        assertThat(r.problems()).isEmpty();
        WorkflowDefinition def = r.orThrow();
        var node = def.node("b");
        assertThat(node.typeId()).isEqualTo(SubWorkflowCall.TYPE_ID);
        assertThat(SubWorkflowCall.of(node.config()).workflowId()).isEqualTo("child-flow");
        assertThat(node.inputs()).containsEntry("ticket", new PortValue.Static("T-1"))
                .containsEntry("priority", new PortValue.Static(2));
        assertThat(def.node("a").typeId()).isEqualTo("osop.agent");
    }

    @Test
    void aSubWorkflowReferenceThatIsNotAnIdOrSitsOnAHumanNodeIsRejected() {
        String yaml = """
                osop_version: "1.1"
                id: w
                name: W
                nodes:
                  - {id: a, type: agent, purpose: p, workflow_ref: 42}
                  - {id: b, type: human, purpose: p, workflow_ref: child-flow}
                edges:
                  - {from: a, to: b}
                """;
        LoadResult<WorkflowDefinition> r = loader.load(yaml);
        assertThat(r.errors()).extracting(Problem::code, Problem::pointer).containsExactly(
                org.assertj.core.groups.Tuple.tuple("osop.workflow_ref", "/nodes/0/workflow_ref"),
                org.assertj.core.groups.Tuple.tuple("osop.workflow_ref", "/nodes/1/workflow_ref"));
        assertThat(r.errors().get(1).line()).isEqualTo(6);
    }

    static Stream<String> runLogs() {
        return Fixtures.list("osop", ".*\\.osoplog\\.yaml").stream();
    }

    /** The examples folder also holds run logs; each is rejected as a log, with the workflow it ran named. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("runLogs")
    void everyOsopRunLogIsRejectedAsALogNotAWorkflow(String file) {
        String text = Fixtures.read("osop/" + file);
        LoadResult<WorkflowDefinition> r = new WorkflowLoaders(NodeTypeRegistry.acceptAll()).load(text);
        assertThat(r.isLoaded()).isFalse();
        assertThat(r.errors()).singleElement().satisfies(p -> {
            assertThat(p.code()).isEqualTo("osop.run_log");
            assertThat(p.pointer()).isEqualTo("/osoplog_version");
            assertThat(p.line()).isGreaterThanOrEqualTo(1);
            assertThat(p.message()).contains("run log");
        });
    }

    @Test
    void theExamplesFolderHoldsOnlyWorkflowsAndRunLogsAndBothTablesCoverAll() {
        assertThat(Fixtures.list("osop", ".*")).hasSize(examples().toList().size() + runLogs().toList().size());
        assertThat(runLogs()).hasSize(3);
    }
}
