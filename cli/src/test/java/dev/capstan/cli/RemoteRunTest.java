package dev.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.cli.run.HumanGate;
import dev.capstan.cli.run.LogFiles;
import dev.capstan.cli.run.PlatformConfig;
import dev.capstan.cli.run.ProgressPrinter;
import dev.capstan.cli.run.RemoteRun;
import dev.capstan.cli.run.RunLog;
import dev.capstan.cli.run.RunSettings;
import dev.capstan.cli.support.Cli;
import dev.capstan.cli.support.Demo;
import dev.capstan.cli.support.FakePlatform;
import dev.capstan.cli.support.FakePlatform.AwaitPost;
import dev.capstan.cli.support.FakePlatform.Emit;
import dev.capstan.cli.support.SharedOsop;
import dev.capstan.cli.workflow.WorkflowFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Remote mode against a loopback server that speaks the platform's run API (see {@link FakePlatform}). */
class RemoteRunTest {

    private static final String KEY = "hk_test_key";

    @TempDir
    Path dir;

    @Test
    void aRemoteRunRegistersStartsStreamsAnswersTheApprovalAndLogs() throws Exception {
        List<FakePlatform.Step> script = new java.util.ArrayList<>();
        try (FakePlatform platform = new FakePlatform(KEY, script)) {
            script.add(new Emit(List.of(platform.event("run.started", null, Map.of("workflowId", "wf-from-platform")))));
            script.add(new Emit(List.of(
                    platform.event("node.started", "create_order", Map.of("nodeId", "create_order", "attempt", 0)),
                    platform.event("node.completed", "create_order", Map.of("nodeId", "create_order", "durationMs", 40,
                            "attempt", 0, "outputs", Map.of("status", 201, "body", Map.of("id", "ord_9")))))));
            script.add(new Emit(List.of(platform.event("interrupt.requested", "take_payment", Map.of("kind", "approval",
                    "key", "k", "data", Map.of("title", "Take payment", "actions", List.of("accept", "reject")))))));
            script.add(new AwaitPost("/interrupts/take_payment"));
            script.add(new Emit(List.of(
                    platform.event("interrupt.resolved", "take_payment", Map.of("kind", "approval",
                            "resumeValue", Map.of("action", "accept"), "resolvedBy", "key:demo")),
                    platform.event("node.started", "take_payment", Map.of("nodeId", "take_payment", "attempt", 0)),
                    platform.event("node.failed", "take_payment", Map.of("nodeId", "take_payment", "error",
                            Map.of("code", "http_status", "message", "The server answered 402.", "retryable", false,
                                    "details", Map.of("status", 402)))),
                    platform.event("run.failed", null, Map.of("error", Map.of("code", "node_failed",
                            "message", "Node 'take_payment' failed."), "failedNodeId", "take_payment")))));
            Path workflow = Demo.workflow(dir);
            Path log = dir.resolve("remote.osoplog.yaml");
            Cli.Result r = Cli.run(dir, Map.of("CAPSTAN_URL", platform.url(), "CAPSTAN_API_KEY", KEY), Terminal.NONE,
                    "run", workflow.toString(), "--approve", "--input", "base_url=http://127.0.0.1:1", "--max-cost", "0.5",
                    "--log", log.toString());

            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("the run failed: Node 'take_payment' failed.");
            assertThat(r.out()).contains("running on " + platform.url()).contains("ok create_order")
                    .contains("FAILED take_payment");
            FakePlatform.Call register = platform.call("POST", "/v1/workflows");
            assertThat(register.contentType()).isEqualTo("application/yaml");
            assertThat(register.body()).isEqualTo(Files.readString(workflow));
            Map<?, ?> run = new ObjectMapper().readValue(platform.call("POST", "/v1/runs").body(), Map.class);
            assertThat(run.get("workflowId")).isEqualTo("wf-from-platform");
            assertThat(run.get("inputs")).isEqualTo(Map.of("base_url", "http://127.0.0.1:1"));
            assertThat(run.get("configurable")).isEqualTo(Map.of("budgetUsd", 0.5));
            assertThat(platform.call("POST", "/interrupts/take_payment").body())
                    .isEqualTo("{\"resumeValue\":{\"action\":\"accept\",\"notes\":\"approved with --approve\"}}");
            assertThat(platform.calls).allSatisfy(c -> assertThat(c.authorization()).isEqualTo("Bearer " + KEY));

            Map<String, Object> doc = LogFiles.read(log);
            assertThat(SharedOsop.logSchemaErrors(doc)).isEmpty();
            assertThat(doc.get("run_id")).isEqualTo(FakePlatform.RUN_ID);
            assertThat(doc.get("runtime")).asString().contains("source=platform");
            List<Map<String, Object>> records = LocalRunTest.records(doc);
            assertThat(records).extracting(m -> m.get("node_id") + "=" + m.get("status") + "/" + m.get("http_status_code"))
                    .containsExactly("create_order=COMPLETED/201", "take_payment=FAILED/402");
            assertThat(records.get(1).get("human_metadata")).asString().contains("decision=accept").contains("actor=key:demo");
        }
    }

    @Test
    void cancellingARemoteRunPostsCancelAndLogsTheCancellation() throws Exception {
        List<FakePlatform.Step> script = new java.util.ArrayList<>();
        try (FakePlatform platform = new FakePlatform(KEY, script)) {
            script.add(new Emit(List.of(platform.event("run.started", null, Map.of()),
                    platform.event("node.started", "check_health", Map.of("nodeId", "check_health", "attempt", 0)))));
            script.add(new AwaitPost("/cancel"));
            script.add(new Emit(List.of(platform.event("node.cancelled", "check_health", Map.of("reason", "run-cancelled")),
                    platform.event("run.cancelled", null, Map.of("reason", "cancelled with Ctrl-C")))));
            WorkflowFile wf = WorkflowFile.readValid(Demo.workflow(dir));
            RunLog runLog = new RunLog(wf.definition(), "platform", "tester", Instant.now());
            StringWriter out = new StringWriter();
            PrintWriter pw = new PrintWriter(out, true);
            RunSettings settings = new RunSettings(Map.of(), false, null, true, Map.of(), Map.of(), false, false, null, null);
            RemoteRun runner = new RemoteRun(wf, settings, runLog, new ProgressPrinter(pw),
                    new HumanGate(Terminal.NONE, true, Map.of(), pw, "tester"), pw, new PlatformConfig(platform.url(), KEY, "test"));
            Thread thread = new Thread(runner::run);
            thread.start();
            long deadline = System.currentTimeMillis() + 10_000;
            while (!out.toString().contains("> check_health") && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            runner.cancel("cancelled with Ctrl-C");
            thread.join(10_000);

            assertThat(thread.isAlive()).isFalse();
            assertThat(platform.call("POST", "/cancel").body()).isEqualTo("{\"reason\":\"cancelled with Ctrl-C\"}");
            Map<String, Object> doc = runLog.toDocument(Instant.now());
            assertThat(doc.get("status")).isEqualTo("FAILED");
            assertThat(doc.get("error")).asString().contains("code=cancelled").contains("Ctrl-C");
            assertThat(LocalRunTest.records(doc).get(0)).containsEntry("status", "ERROR");
            assertThat(SharedOsop.logSchemaErrors(doc)).isEmpty();
        }
    }

    @Test
    void aRefusedApiKeyIsAClearFailure() throws Exception {
        try (FakePlatform platform = new FakePlatform(KEY, List.of())) {
            Cli.Result r = Cli.run(dir, "run", Demo.workflow(dir).toString(), "--server", platform.url(), "--api-key", "wrong",
                    "--approve");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("refused the API key").contains("HTTP 401").contains("The API key is not valid.");
        }
    }

    @Test
    void theServerAndKeyComeFromCapstanEnvWhenNotGiven() throws Exception {
        try (FakePlatform platform = new FakePlatform(KEY, List.of())) {
            Files.createDirectories(dir.resolve(".capstan"));
            Files.writeString(dir.resolve(".capstan/env"), "# Written by ./capstan up\nCAPSTAN_URL=" + platform.url()
                    + "\nCAPSTAN_API_KEY=" + KEY + "\nexport CAPSTAN_URL CAPSTAN_API_KEY\n");
            Cli.Result r = Cli.run(dir, "run", Demo.workflow(dir).toString(), "--approve");
            assertThat(platform.call("POST", "/v1/workflows").authorization()).isEqualTo("Bearer " + KEY);
            assertThat(r.out()).contains("running on " + platform.url());
        }
    }

    @Test
    void anUnreachablePlatformSaysHowToStartItOrRunLocally() throws Exception {
        Cli.Result r = Cli.run(dir, "run", Demo.workflow(dir).toString(), "--server", "http://127.0.0.1:9", "--api-key", KEY,
                "--approve");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("cannot reach the platform at http://127.0.0.1:9").contains("./capstan up").contains("--local");
    }
}
