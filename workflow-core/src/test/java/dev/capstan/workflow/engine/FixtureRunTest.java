package dev.capstan.workflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.load.Fixtures;
import dev.capstan.workflow.load.SchemaValidator;
import dev.capstan.workflow.model.RunStatus;
import dev.capstan.workflow.model.WorkflowDefinition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every loadable fixture to the end with a cooperative world, and checks the log's invariants and that every
 * protocol event validates against the OpenWOP event schemas.
 */
class FixtureRunTest {

    /** Fixtures that loop back forever by design: the node-execution cap must stop them. */
    private static final Set<String> UNBOUNDED_LOOPS = Set.of("conformance-dispatch-loop.json",
            "conformance-dispatch-cross-worker-handoff.json", "conformance-dispatch-input-mapping.json",
            "conformance-dispatch-input-mapping-no-default.json", "conformance-dispatch-output-mapping.json",
            "conformance-dispatch-per-worker-override.json", "conformance-multi-agent-confidence-escalation.json",
            "conformance-multi-agent-handoff.json", "conformance-orchestrator-dispatch.json",
            "conformance-orchestrator-low-confidence.json", "conformance-orchestrator-terminate.json");

    static Stream<String> openWopFixtures() {
        return Fixtures.list("openwop", ".*\\.json").stream().filter(f -> !f.equals("conformance-capability-missing.json"));
    }

    static Stream<String> osopExamples() {
        return Fixtures.list("osop", ".*\\.osop(\\.yaml)?").stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("openWopFixtures")
    void everyOpenWopFixtureRunsToExactlyOneTerminalEventWithSchemaValidEvents(String file) {
        WorkflowDefinition def = Defs.openWopFixture(file);
        RunDriver run = new RunDriver(def);
        Map<String, Object> inputs = new java.util.LinkedHashMap<>();
        def.variables().forEach(v -> inputs.put(v.name(), v.defaultValue() != null ? v.defaultValue() : sample(v.type())));
        run.start(inputs);
        run.autopilot(d -> Map.of("ok", true), 1_000);
        if (UNBOUNDED_LOOPS.contains(file)) {
            assertThat(run.state.status()).isEqualTo(RunStatus.FAILED);
            assertThat(run.state.error().code()).isEqualTo("recursion_limit_exceeded");
            assertThat(run.types()).contains("cap.breached");
        } else {
            assertThat(run.state.status()).as(file).isEqualTo(RunStatus.COMPLETED);
        }
        assertLogInvariants(run.log);
        assertEventsMatchOpenWopSchemas(run.log);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("osopExamples")
    void everyOsopExampleRunsToCompletionWhenEveryStepSucceeds(String file) {
        RunDriver run = new RunDriver(Defs.osopExample(file));
        run.start(Map.of());
        run.autopilot(d -> Map.of("ok", true), 1_000);
        assertThat(run.state.status()).as(file).isEqualTo(RunStatus.COMPLETED);
        assertLogInvariants(run.log);
        assertEventsMatchOpenWopSchemas(run.log);
    }

    static Object sample(String type) {
        return switch (type == null ? "string" : type) {
            case "number" -> 5L;
            case "boolean" -> true;
            case "object" -> Map.of();
            case "array" -> List.of();
            default -> "x";
        };
    }

    static void assertLogInvariants(List<RunEvent> log) {
        for (int i = 0; i < log.size(); i++) {
            assertThat(log.get(i).sequence()).as("sequence of event " + i).isEqualTo(i);
        }
        assertThat(log.stream().filter(RunEvent::isTerminal)).hasSize(1);
        assertThat(log.get(log.size() - 1).isTerminal()).as("the terminal event is last").isTrue();
        Set<String> started = new HashSet<>();
        for (RunEvent e : log) {
            if (e.type().equals("node.started")) {
                assertThat(started.add(e.nodeId() + "#" + e.payload().get("attempt")))
                        .as("node %s attempt %s started once", e.nodeId(), e.payload().get("attempt")).isTrue();
            }
        }
    }

    static void assertEventsMatchOpenWopSchemas(List<RunEvent> log) {
        Map<String, Object> typeIndex = typeIndex();
        for (RunEvent e : log) {
            assertThat(SchemaValidator.validateAgainstId(SchemaValidator.OPENWOP_RUN_EVENT, e.toDocument()))
                    .as("envelope of %s", e.type()).isEmpty();
            Object ref = typeIndex.get(e.type());
            if (ref != null) {
                String uri = "https://openwop.dev/spec/v1/run-event-payloads.schema.json" + ref;
                assertThat(SchemaValidator.validateAgainstId(uri, e.payload())).as("payload of %s", e.type()).isEmpty();
            } else {
                assertThat(e.type()).as("only vendor events lack a payload schema").startsWith("capstan.");
            }
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> typeIndex() {
        tools.jackson.databind.json.JsonMapper m = tools.jackson.databind.json.JsonMapper.builder().build();
        try (var in = FixtureRunTest.class.getResourceAsStream("/schemas/openwop/run-event-payloads.schema.json")) {
            Map<String, Object> schema = m.readValue(in, Map.class);
            Map<String, Object> defs = (Map<String, Object>) schema.get("$defs");
            Map<String, Object> props = (Map<String, Object>) ((Map<String, Object>) defs.get("_typeIndex")).get("properties");
            Map<String, Object> out = new java.util.HashMap<>();
            props.forEach((k, v) -> out.put(k, ((String) ((Map<String, Object>) v).get("$ref")).substring(0)));
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
