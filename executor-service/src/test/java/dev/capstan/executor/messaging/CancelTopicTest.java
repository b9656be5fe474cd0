package dev.capstan.executor.messaging;

import static dev.capstan.executor.KafkaHarness.dispatch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.common.messaging.NodeCancelMessage;
import dev.capstan.common.messaging.NodeDispatchMessage;
import dev.capstan.common.messaging.NodeResultMessage;
import dev.capstan.devstack.testing.Await;
import dev.capstan.devstack.testing.HoldingServer;
import dev.capstan.devstack.testing.KafkaTestResource;
import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.executor.KafkaHarness;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Cancels arriving on the real {@code capstan.node.cancel} topic, as run-service publishes them: the executor stops
 * the running attempt (the HTTP target sees its connection closed, the shell's process tree dies), publishes
 * {@code node_cancelled} once, and a cancel that arrives before its dispatch keeps the attempt from running at all.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class CancelTopicTest {

    @Inject
    MeterRegistry meters;

    private final KafkaHarness kafka = KafkaHarness.get();

    private static NodeCancelMessage cancelOf(NodeDispatchMessage d, String reason) {
        return new NodeCancelMessage(NodeCancelMessage.VERSION, d.tenantId(), d.runId(), d.nodeId(), d.attempt(), reason,
                System.currentTimeMillis());
    }

    private double cancelsReceived() {
        return meters.find("capstan.node.cancels").counters().stream().mapToDouble(Counter::count).sum();
    }

    @Test
    void aCancelOnTheTopicAbortsAHeldHttpRequestAndPublishesNodeCancelledOnce() {
        try (HoldingServer target = new HoldingServer()) {
            NodeDispatchMessage d = dispatch("t-loopback", "core.http.request", Map.of(),
                    Map.of("method", "POST", "url", target.url("/slow"), "body", Map.of("order", 7),
                            "retry", Map.of("maxRetries", 2, "backoffMs", 10)),
                    Map.of());
            kafka.send(d);
            Await.until(target::held, h -> !h.isEmpty(), "the request to reach the target");

            kafka.sendCancel(cancelOf(d, "run-cancelled"));

            NodeResultMessage r = kafka.awaitFinal(d.invocationId());
            assertThat(r.outcome()).isEqualTo("failed");
            assertThat(r.error()).containsEntry("code", "node_cancelled").containsEntry("retryable", false);
            assertThat(String.valueOf(r.error().get("message"))).contains("run-cancelled");
            Await.until(() -> target.held().get(0).closedByClient(), closed -> closed,
                    "the target to see the cancelled request's connection closed");
            assertThat(target.held()).hasSize(1);
            assertThat(target.held().get(0).requestLine()).startsWith("POST /slow");
            assertThat(kafka.resultsOf(d.invocationId()).stream().filter(m -> !m.outcome().equals("progress"))).hasSize(1);
        }
    }

    @Test
    void aCancelOnTheTopicKillsALongShellStepAndItsChildren() throws Exception {
        Path pidFile = Files.createTempFile("capstan-cancel-topic", ".pid");
        Files.delete(pidFile);
        NodeDispatchMessage d = dispatch("t-exec", "core.shell", Map.of(),
                Map.of("argv", List.of("sh", "-c", "sleep 300 & echo $! > " + pidFile + "; wait")), Map.of("allowExec", true));
        kafka.send(d);
        long child = Await.until(() -> {
            try {
                return Files.exists(pidFile) && !Files.readString(pidFile).isBlank() ? Long.parseLong(Files.readString(pidFile).trim()) : 0L;
            } catch (java.io.IOException | NumberFormatException e) {
                return 0L;
            }
        }, pid -> pid > 0, "the shell step to start its child");

        kafka.sendCancel(cancelOf(d, "node_timeout"));

        NodeResultMessage r = kafka.awaitFinal(d.invocationId());
        assertThat(r.error()).containsEntry("code", "node_cancelled");
        Await.until(() -> ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), alive -> !alive,
                "the cancelled step's child process to die");
    }

    @Test
    void aCancelThatArrivesBeforeItsDispatchKeepsTheAttemptFromRunning() throws Exception {
        Path marker = Files.createTempFile("capstan-cancel-early", ".marker");
        Files.delete(marker);
        NodeDispatchMessage d = dispatch("t-exec", "core.shell", Map.of(),
                Map.of("argv", List.of("touch", marker.toString())), Map.of("allowExec", true));
        double before = cancelsReceived();
        kafka.sendCancel(cancelOf(d, "run-cancelled"));
        Await.until(this::cancelsReceived, n -> n > before, "the executor to read the cancel");

        NodeResultMessage r = kafka.sendAndAwait(d);

        assertThat(r.error()).containsEntry("code", "node_cancelled");
        assertThat(marker).doesNotExist();
    }

    @Test
    void aCancelOfAnotherAttemptLeavesARunningNodeAlone() {
        NodeDispatchMessage d = dispatch("t-exec", "core.shell", Map.of(), Map.of("argv", List.of("echo", "kept")),
                Map.of("allowExec", true));
        double before = cancelsReceived();
        kafka.sendCancel(new NodeCancelMessage(NodeCancelMessage.VERSION, d.tenantId(), d.runId(), d.nodeId(), d.attempt() + 1,
                "loop-reentered", System.currentTimeMillis()));
        Await.until(this::cancelsReceived, n -> n > before, "the executor to read the cancel");

        NodeResultMessage r = kafka.sendAndAwait(d);

        assertThat(r.outcome()).isEqualTo("completed");
        assertThat(r.outputs()).containsEntry("stdout", "kept\n");
    }
}
