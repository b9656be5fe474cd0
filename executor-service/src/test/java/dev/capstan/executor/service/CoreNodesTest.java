package dev.capstan.executor.service;

import static dev.capstan.executor.KafkaHarness.dispatch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.common.messaging.NodeDispatchMessage;
import dev.capstan.common.messaging.NodeResultMessage;
import dev.capstan.devstack.testing.Await;
import dev.capstan.devstack.testing.KafkaTestResource;
import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.executor.KafkaHarness;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Core nodes sent as dispatch commands over the real broker; results read back from capstan.node.results. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class CoreNodesTest {

    private final KafkaHarness kafka = KafkaHarness.get();

    private NodeResultMessage run(String typeId, Map<String, Object> inputs, Map<String, Object> config) {
        return kafka.sendAndAwait(dispatch("t-core", typeId, inputs, config, Map.of()));
    }

    @Test
    void noopCompletesWithNoOutputsAndEchoesTheAttemptsIdentity() {
        NodeDispatchMessage d = dispatch("t-core", "core.noop", Map.of(), Map.of(), Map.of());
        NodeResultMessage r = kafka.sendAndAwait(d);
        assertThat(r.outcome()).isEqualTo("completed");
        assertThat(r.outputs()).isEmpty();
        assertThat(r.v()).isEqualTo(1);
        assertThat(r.runId()).isEqualTo(d.runId());
        assertThat(r.tenantId()).isEqualTo("t-core");
        assertThat(r.nodeId()).isEqualTo("n1");
        assertThat(r.attempt()).isEqualTo(1);
    }

    @Test
    void identityReturnsItsInputsAsOutputs() {
        Map<String, Object> payload = Map.of("payload", Map.of("a", 1, "b", List.of("x", "y")));
        assertThat(run("core.identity", payload, Map.of()).outputs()).isEqualTo(payload);
    }

    @Test
    void failReportsTheConfiguredCodeAndIsNotRetryable() {
        NodeResultMessage r = run("core.fail", Map.of(), Map.of("code", "deterministic", "message", "boom"));
        assertThat(r.outcome()).isEqualTo("failed");
        assertThat(r.error()).containsEntry("code", "deterministic").containsEntry("message", "boom")
                .containsEntry("retryable", false);
    }

    @Test
    void setVariableCarriesTheUpdateInTheResultsVariables() {
        NodeResultMessage r = run("core.setVariable", Map.of("value", 42), Map.of("name", "answer"));
        assertThat(r.variables()).isEqualTo(Map.of("answer", 42));
        assertThat(r.outputs()).containsEntry("name", "answer").containsEntry("value", 42)
                .containsEntry("variables", Map.of("answer", 42));
        assertThat(run("core.noop", Map.of(), Map.of()).variables()).isNull();
    }

    @Test
    void getVariableExposesTheResolvedValueOrItsDefault() {
        assertThat(run("core.getVariable", Map.of("value", "blue"), Map.of("name", "colour")).outputs())
                .containsEntry("value", "blue");
        assertThat(run("core.getVariable", Map.of(), Map.of("name", "colour", "default", "red")).outputs())
                .containsEntry("value", "red");
    }

    @Test
    void conditionalMergeAndLoopComputeTheirDocumentedOutputs() {
        assertThat(run("core.conditional", Map.of("condition", true), Map.of()).outputs())
                .containsEntry("result", true).containsEntry("branch", "true");
        assertThat(run("core.conditional", Map.of(), Map.of("condition", "false")).outputs())
                .containsEntry("result", false);
        assertThat(run("core.merge", Map.of("left", Map.of("a", 1), "right", Map.of("b", 2)), Map.of()).outputs())
                .containsEntry("merged", Map.of("a", 1, "b", 2));
        assertThat(run("core.loop", Map.of("items", List.of("x", "y", "z"), "index", 1), Map.of()).outputs())
                .containsEntry("item", "y").containsEntry("count", 3).containsEntry("hasNext", true)
                .containsEntry("nextIndex", 2);
    }

    @Test
    void aTypeWithoutHandlerFailsWithCapabilityNotProvided() {
        NodeResultMessage r = run("vendor.nobody.knows", Map.of(), Map.of());
        assertThat(r.outcome()).isEqualTo("failed");
        assertThat(r.error()).containsEntry("code", "capability_not_provided").containsEntry("retryable", false);
    }

    @Test
    void aRedeliveredDispatchRepublishesTheRecordedResult() {
        NodeDispatchMessage d = dispatch("t-core", "core.identity", Map.of("x", 1), Map.of(), Map.of());
        NodeResultMessage first = kafka.sendAndAwait(d);
        kafka.send(d);
        List<NodeResultMessage> both = kafka.awaitResults(d.invocationId(), l -> l.size() >= 2);
        // The same recorded message, down to when it finished: the node did not run again.
        assertThat(both.get(1)).isEqualTo(first);
    }

    @Test
    void anUnreadableDispatchGoesToTheDeadLetterTopic() {
        String key = "run-garbage-" + System.nanoTime();
        kafka.sendRaw(key, "{not json");
        Await.until(kafka::deadLetters, l -> l.stream().anyMatch(r -> key.equals(r.key())), "dead letter " + key);
    }
}
