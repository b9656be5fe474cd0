package dev.capstan.executor.service;

import static dev.capstan.executor.KafkaHarness.dispatch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.common.messaging.NodeDispatchMessage;
import dev.capstan.common.messaging.NodeResultMessage;
import dev.capstan.devstack.testing.Await;
import dev.capstan.devstack.testing.KafkaTestResource;
import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.executor.KafkaHarness;
import dev.capstan.executor.messaging.ExecutorRuntime;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A running attempt cancelled on the executor: its process tree dies and the result is node_cancelled, once. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class CancelNodeTest {

    @Inject
    ExecutorRuntime runtime;

    @Test
    void cancellingARunningShellNodeKillsItsProcessesAndPublishesNodeCancelled() throws Exception {
        Path pidFile = Files.createTempFile("capstan-cancel", ".pid");
        Files.delete(pidFile);
        NodeDispatchMessage d = dispatch("t-exec", "core.shell", Map.of(),
                Map.of("argv", List.of("sh", "-c", "sleep 300 & echo $! > " + pidFile + "; wait")), Map.of("allowExec", true));
        KafkaHarness kafka = KafkaHarness.get();
        kafka.send(d);
        long child = Await.until(() -> {
            try {
                return Files.exists(pidFile) && !Files.readString(pidFile).isBlank() ? Long.parseLong(Files.readString(pidFile).trim()) : 0L;
            } catch (java.io.IOException e) {
                return 0L;
            }
        }, pid -> pid > 0, "the shell node to start");

        assertThat(runtime.cancel(d.runId(), d.nodeId(), d.attempt(), "run-cancelled")).isEqualTo(1);

        NodeResultMessage r = kafka.awaitFinal(d.invocationId());
        assertThat(r.outcome()).isEqualTo("failed");
        assertThat(r.error()).containsEntry("code", "node_cancelled").containsEntry("retryable", false);
        Await.until(() -> ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), alive -> !alive,
                "the cancelled node's child process to die");
        assertThat(runtime.cancel(d.runId(), d.nodeId(), d.attempt(), "again")).isZero();
    }
}
