package dev.capstan.executor.service;

import static dev.capstan.executor.KafkaHarness.dispatch;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.common.messaging.NodeResultMessage;
import dev.capstan.devstack.testing.KafkaTestResource;
import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.executor.KafkaHarness;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Shell nodes behind the two-sided exec gate (tenant t-exec may, per test config), and OSOP record-only types. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class ShellAndRecordNodesTest {

    private final KafkaHarness kafka = KafkaHarness.get();

    private NodeResultMessage shell(String tenant, Map<String, Object> config, Map<String, Object> options) {
        return kafka.sendAndAwait(dispatch(tenant, "core.shell", Map.of(), config, options));
    }

    @Test
    void aShellNodeIsRefusedWithoutTheRunsGateOrTheTenantsPolicy() {
        Map<String, Object> config = Map.of("argv", List.of("echo", "hi"));
        assertThat(shell("t-exec", config, Map.of()).error()).containsEntry("code", "exec_forbidden")
                .containsEntry("retryable", false);
        assertThat(shell("t-core", config, Map.of("allowExec", true)).error()).containsEntry("code", "exec_forbidden");
    }

    @Test
    void withBothGatesTheArgvRunsWithoutAShellInAScratchFolder() {
        // A shell would expand $HOME and the glob; argv passes them through literally.
        NodeResultMessage r = shell("t-exec", Map.of("argv", List.of("echo", "$HOME", "*")), Map.of("allowExec", true));
        assertThat(r.outcome()).isEqualTo("completed");
        assertThat(r.outputs()).containsEntry("exitCode", 0).containsEntry("stdout", "$HOME *\n");
        NodeResultMessage pwd = shell("t-exec", Map.of("argv", List.of("pwd")), Map.of("allowExec", true));
        assertThat((String) pwd.outputs().get("stdout")).contains("capstan-exec/node-");
    }

    @Test
    void onlyAllowListedEnvironmentVariablesReachTheCommand() {
        NodeResultMessage r = shell("t-exec", Map.of("argv", List.of("env"), "env", Map.of("TZ", "UTC", "EVIL", "1")),
                Map.of("allowExec", true));
        String env = (String) r.outputs().get("stdout");
        assertThat(env).contains("TZ=UTC").doesNotContain("EVIL").doesNotContain("CAPSTAN_");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aNonZeroExitFailsTheNodeAndATimeoutKillsIt() {
        NodeResultMessage bad = shell("t-exec", Map.of("argv", List.of("sh", "-c", "echo oops >&2; exit 3")),
                Map.of("allowExec", true));
        assertThat(bad.error()).containsEntry("code", "exec_failed");
        assertThat((Map<String, Object>) bad.error().get("details")).containsEntry("exitCode", 3).containsEntry("stderr", "oops\n");
        NodeResultMessage slow = shell("t-exec", Map.of("argv", List.of("sleep", "600"), "timeoutMs", 200),
                Map.of("allowExec", true));
        assertThat(slow.error()).containsEntry("code", "exec_timeout");
    }

    @Test
    void osopRecordOnlyTypesCompleteWithTheirDeclaredOutputs() {
        NodeResultMessage r = kafka.sendAndAwait(dispatch("t-core", "osop.db", Map.of("rows", 12),
                Map.of("outputs", List.of("rows", Map.of("name", "table"))), Map.of()));
        assertThat(r.outputs()).containsEntry("rows", 12).containsEntry("recorded", true).containsKey("table");
    }
}
