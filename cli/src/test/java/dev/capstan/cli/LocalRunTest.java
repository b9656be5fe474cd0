package dev.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.cli.demo.DemoServer;
import dev.capstan.cli.run.LogFiles;
import dev.capstan.cli.support.Cli;
import dev.capstan.cli.support.Demo;
import dev.capstan.cli.support.FakeApi;
import dev.capstan.cli.support.SharedOsop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRunTest {

    @TempDir
    Path dir;

    DemoServer server;
    Path workflow;

    @BeforeEach
    void start() throws IOException {
        server = DemoServer.start(0);
        workflow = Demo.workflow(dir);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theDemoRunsEndToEndAndItsLogValidatesAgainstTheOsopLogSchema() {
        Path log = dir.resolve("out/demo.osoplog.yaml");
        Cli.Result r = Cli.run(dir, "run", workflow.toString(), "--local", "--approve",
                "--input", "base_url=" + server.baseUrl(), "--log", log.toString());
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("ok create_order").contains("HTTP 201").contains("Run completed").contains("Log: " + log);
        assertThat(server.notificationsSent()).isEqualTo(1);
        Map<String, Object> doc = LogFiles.read(log);
        assertThat(SharedOsop.logSchemaErrors(doc)).isEmpty();
        assertThat(doc.get("status")).isEqualTo("COMPLETED");
        List<Map<String, Object>> records = records(doc);
        assertThat(records).extracting(m -> m.get("node_id"))
                .containsExactly("check_health", "create_order", "take_payment", "confirm_order", "notify_customer");
        assertThat(records).extracting(m -> m.get("http_status_code")).containsExactly(200, 201, 200, 200, 202);
        Map<String, Object> payment = records.get(2);
        assertThat(payment.get("inputs")).asString().contains("/orders/ord_").contains("/pay");
        assertThat((Map<String, Object>) payment.get("human_metadata")).containsEntry("decision", "accept")
                .containsEntry("actor", "capstan-cli --approve");
        assertThat(records.get(1).get("outputs")).asString().contains("order_id=ord_");
    }

    @Test
    void theLogShapeMatchesTheGoldenFile() throws IOException {
        Path log = dir.resolve("demo.osoplog.yaml");
        Cli.Result r = Cli.run(dir, "run", workflow.toString(), "--local", "--approve",
                "--input", "base_url=" + server.baseUrl(), "--log", log.toString());
        assertThat(r.exit()).as(r.all()).isZero();
        String actual = Golden.normalise(Files.readString(log), server.baseUrl());
        Golden.assertMatches("demo-orders.osoplog.yaml", actual);
    }

    @Test
    void withoutApproveAndWithoutATerminalTheRunDoesNotStart() {
        Path log = dir.resolve("blocked.osoplog.yaml");
        Cli.Result r = Cli.run(dir, "run", workflow.toString(), "--local", "--input", "base_url=" + server.baseUrl(),
                "--log", log.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("needs approval (approval gates on take_payment)").contains("--approve");
        assertThat(server.notificationsSent()).isZero();
        Map<String, Object> doc = LogFiles.read(log);
        assertThat(doc.get("status")).isEqualTo("BLOCKED");
        assertThat(SharedOsop.logSchemaErrors(doc)).isEmpty();
    }

    @Test
    void aRiskScoreAboveThirtyAsksForApprovalEvenWithoutGates() throws IOException {
        try (FakeApi api = new FakeApi().on("DELETE /", 204, "")) {
            Path wf = Files.writeString(dir.resolve("risky.osop.yaml"), """
                    osop_version: "1.0"
                    id: risky
                    name: Risky
                    nodes:
                      - id: wipe
                        type: api
                        runtime: {method: DELETE, url: "%s/everything"}
                        security: {risk_level: critical, permissions: ["admin:*"]}
                    edges: []
                    """.formatted(api.url()));
            Cli.Result refused = Cli.run(dir, "run", wf.toString(), "--local");
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err()).containsPattern("risk score \\d+ is above 30").contains("--approve");
            assertThat(api.requests).isEmpty();

            Cli.Result declined = Cli.run(dir, Map.of(), new Cli.ScriptedTerminal("no"), "run", wf.toString(), "--local");
            assertThat(declined.exit()).isEqualTo(1);
            assertThat(declined.err()).contains("the run was not approved");
            assertThat(api.requests).isEmpty();

            Cli.Result approved = Cli.run(dir, Map.of(), new Cli.ScriptedTerminal("yes"), "run", wf.toString(), "--local");
            assertThat(approved.exit()).as(approved.all()).isZero();
            assertThat(api.count("DELETE", "/everything")).isEqualTo(1);
        }
    }

    @Test
    void aPersonAtTheTerminalApprovesTheRunAndThenRejectsThePayment() {
        Cli.ScriptedTerminal terminal = new Cli.ScriptedTerminal("y", "n");
        Path log = dir.resolve("rejected.osoplog.yaml");
        Cli.Result r = Cli.run(dir, Map.of(), terminal, "run", workflow.toString(), "--local",
                "--input", "base_url=" + server.baseUrl(), "--log", log.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(terminal.prompts).hasSize(2);
        assertThat(r.err()).contains("stopped by a person");
        Map<String, Object> doc = LogFiles.read(log);
        assertThat(doc.get("status")).isEqualTo("BLOCKED");
        assertThat(records(doc)).extracting(m -> m.get("node_id")).doesNotContain("confirm_order");
        assertThat(doc.get("human_decisions")).asString().contains("decision=accept").contains("decision=reject");
        assertThat(SharedOsop.logSchemaErrors(doc)).isEmpty();
    }

    @Test
    void aNodeWhoseEstimateWouldCrossMaxCostIsNotStarted() throws IOException {
        try (FakeApi api = new FakeApi().on("GET /", 200, "{\"ok\":true}")) {
            Path wf = Files.writeString(dir.resolve("costly.osop.yaml"), """
                    osop_version: "1.0"
                    id: costly
                    name: Costly
                    nodes:
                      - id: cheap
                        type: api
                        runtime: {method: GET, url: "%1$s/cheap"}
                        timeout_sec: 5
                      - id: expensive
                        type: api
                        runtime: {method: GET, url: "%1$s/expensive"}
                        cost: {estimated: 2.5}
                        timeout_sec: 5
                    edges:
                      - from: cheap
                        to: expensive
                    """.formatted(api.url()));
            Path log = dir.resolve("costly.osoplog.yaml");
            Cli.Result r = Cli.run(dir, "run", wf.toString(), "--local", "--max-cost", "1.00", "--log", log.toString());
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("cost limit of $1.0");
            assertThat(api.count("GET", "/cheap")).isEqualTo(1);
            assertThat(api.count("GET", "/expensive")).isZero();
            Map<String, Object> doc = LogFiles.read(log);
            assertThat(doc.get("status")).isEqualTo("COST_LIMIT");
            assertThat(doc.get("events")).asString().contains("type=cost_limit");
            assertThat(SharedOsop.logSchemaErrors(doc)).isEmpty();
        }
    }

    @Test
    void aFailingCallFailsTheRunWithItsHttpStatusInTheLog() throws IOException {
        try (FakeApi api = new FakeApi().on("GET /boom", 500, "{\"error\":\"kaput\"}")) {
            Path wf = Files.writeString(dir.resolve("boom.osop.yaml"), """
                    osop_version: "1.0"
                    id: boom
                    name: Boom
                    nodes:
                      - id: call
                        type: api
                        runtime: {method: GET, url: "%s/boom"}
                        timeout_sec: 5
                      - id: after
                        type: api
                        runtime: {method: GET, url: "%<s/after"}
                    edges:
                      - from: call
                        to: after
                    """.formatted(api.url()));
            Path log = dir.resolve("boom.osoplog.yaml");
            Cli.Result r = Cli.run(dir, "run", wf.toString(), "--local", "--log", log.toString());
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err()).contains("the run failed").doesNotContain("Exception");
            Map<String, Object> doc = LogFiles.read(log);
            Map<String, Object> call = records(doc).get(0);
            assertThat(call).containsEntry("status", "FAILED").containsEntry("http_status_code", 500);
            assertThat(call.get("error")).asString().startsWith("http_status:");
            assertThat(call.get("response_preview")).asString().contains("kaput");
            assertThat(api.count("GET", "/after")).isZero();
            assertThat(SharedOsop.logSchemaErrors(doc)).isEmpty();
        }
    }

    @Test
    void shellNodesNeedAllowExec() throws IOException {
        Path wf = Files.writeString(dir.resolve("shell.osop.yaml"), """
                osop_version: "1.0"
                id: shell
                name: Shell
                nodes:
                  - id: say
                    type: cli
                    runtime: {command: "echo hello-from-capstan"}
                    timeout_sec: 10
                edges: []
                """);
        Cli.Result refused = Cli.run(dir, "run", wf.toString(), "--local", "--approve");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("shell commands").contains("say (echo hello-from-capstan)").contains("--allow-exec");

        Path log = dir.resolve("shell.osoplog.yaml");
        Cli.Result allowed = Cli.run(dir, "run", wf.toString(), "--local", "--approve", "--allow-exec", "--log", log.toString());
        assertThat(allowed.exit()).as(allowed.all()).isZero();
        assertThat(records(LogFiles.read(log)).get(0).get("outputs")).asString().contains("hello-from-capstan");
    }

    @Test
    void cancellingALocalRunStopsItWhileANodeRunsAndLogsTheCancellation() throws Exception {
        try (FakeApi api = new FakeApi().slow("GET /slow", 200, "{}", 5_000)) {
            Path wf = Files.writeString(dir.resolve("slow.osop.yaml"), """
                    osop_version: "1.0"
                    id: slow
                    name: Slow
                    nodes:
                      - id: wait
                        type: api
                        runtime: {method: GET, url: "%s/slow"}
                    edges: []
                    """.formatted(api.url()));
            dev.capstan.workflow.model.WorkflowDefinition def = dev.capstan.cli.workflow.WorkflowFile.readValid(wf).definition();
            dev.capstan.cli.run.RunLog runLog = new dev.capstan.cli.run.RunLog(def, "executor", "tester", java.time.Instant.now());
            java.io.StringWriter out = new java.io.StringWriter();
            java.io.PrintWriter pw = new java.io.PrintWriter(out, true);
            dev.capstan.cli.run.RunSettings settings = new dev.capstan.cli.run.RunSettings(Map.of(), false, null, true,
                    Map.of(), Map.of(), true, false, null, null);
            dev.capstan.cli.run.LocalRun run = new dev.capstan.cli.run.LocalRun(def, settings, runLog,
                    new dev.capstan.cli.run.ProgressPrinter(pw), new dev.capstan.cli.run.HumanGate(Terminal.NONE, true,
                    Map.of(), pw, "tester"), pw, java.time.Clock.systemUTC(), Map.of());
            Thread thread = new Thread(run::run);
            long started = System.currentTimeMillis();
            thread.start();
            long deadline = started + 10_000;
            while (api.count("GET", "/slow") == 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            run.cancel("cancelled with Ctrl-C");
            thread.join(10_000);

            assertThat(thread.isAlive()).isFalse();
            assertThat(System.currentTimeMillis() - started).isLessThan(4_000);
            Map<String, Object> doc = runLog.toDocument(java.time.Instant.now());
            assertThat(doc.get("status")).isEqualTo("FAILED");
            assertThat(doc.get("error")).asString().contains("code=cancelled").contains("Ctrl-C");
            assertThat(records(doc).get(0)).containsEntry("status", "ERROR");
            assertThat(SharedOsop.logSchemaErrors(doc)).isEmpty();
        }
    }

    @Test
    void aClarificationIsAnsweredFromAnswerAndTheAnswerReachesTheNextCall() throws IOException {
        try (FakeApi api = new FakeApi().on("POST /greet", 200, "{\"ok\":true}")) {
            Path wf = Files.writeString(dir.resolve("ask.osop.yaml"), """
                    osop_version: "1.0"
                    id: ask
                    name: Ask
                    nodes:
                      - id: who
                        type: human
                        subtype: input
                        description: "Whom should we greet?"
                      - id: greet
                        type: api
                        runtime: {method: POST, url: "%s/greet", body: {name: "${who.answers.q1}"}}
                    edges:
                      - from: who
                        to: greet
                    """.formatted(api.url()));
            Cli.Result unanswered = Cli.run(dir, "run", wf.toString(), "--local");
            assertThat(unanswered.exit()).isEqualTo(1);
            assertThat(unanswered.out()).contains("node 'who' needs a person (clarification)").contains("--answer");
            assertThat(api.requests).isEmpty();

            Path log = dir.resolve("ask.osoplog.yaml");
            Cli.Result r = Cli.run(dir, "run", wf.toString(), "--local", "--answer", "q1=Ada", "--log", log.toString());
            assertThat(r.exit()).as(r.all()).isZero();
            assertThat(api.requests.get(0).body()).isEqualTo("{\"name\":\"Ada\"}");
            Map<String, Object> who = records(LogFiles.read(log)).get(0);
            assertThat(who).containsEntry("node_type", "human");
            assertThat(who.get("human_metadata")).asString().contains("decision=answered").contains("Ada");
        }
    }

    @Test
    void cancellingARunStopsTheCommandItsShellNodeStarted() throws Exception {
        Path wf = Files.writeString(dir.resolve("sleepy.osop.yaml"), """
                osop_version: "1.0"
                id: sleepy
                name: Sleepy
                nodes:
                  - id: nap
                    type: cli
                    runtime: {command: "sleep 47"}
                edges: []
                """);
        dev.capstan.workflow.model.WorkflowDefinition def = dev.capstan.cli.workflow.WorkflowFile.readValid(wf).definition();
        dev.capstan.cli.run.RunLog runLog = new dev.capstan.cli.run.RunLog(def, "executor", "tester", java.time.Instant.now());
        java.io.PrintWriter pw = new java.io.PrintWriter(new java.io.StringWriter(), true);
        dev.capstan.cli.run.LocalRun run = new dev.capstan.cli.run.LocalRun(def, new dev.capstan.cli.run.RunSettings(Map.of(),
                true, null, true, Map.of(), Map.of(), true, false, null, null), runLog, new dev.capstan.cli.run.ProgressPrinter(pw),
                new dev.capstan.cli.run.HumanGate(Terminal.NONE, true, Map.of(), pw, "tester"), pw, java.time.Clock.systemUTC(), Map.of());
        Thread thread = new Thread(run::run);
        thread.start();
        long deadline = System.currentTimeMillis() + 10_000;
        while (sleepers().isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(sleepers()).as("the shell node's command started").isNotEmpty();
        run.cancel("cancelled with Ctrl-C");
        thread.join(10_000);
        deadline = System.currentTimeMillis() + 5_000;
        while (!sleepers().isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(sleepers()).isEmpty();
    }

    private static List<ProcessHandle> sleepers() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains("47")).orElse(false)).toList();
    }

    @Test
    void aSubWorkflowNodeFailsLocallyWithAnExplanationInsteadOfBeingSkipped() throws IOException {
        Path parent = dir.resolve("parent.osop.yaml");
        Files.writeString(parent, """
                osop_version: "1.1"
                id: parent
                name: Parent
                nodes:
                  - {id: call_child, type: system, purpose: run the child, workflow_ref: child-flow}
                edges: []
                """);
        Path log = dir.resolve("parent.osoplog.yaml");
        Cli.Result r = Cli.run(dir, "run", parent.toString(), "--local", "--log", log.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.all()).contains("child-flow").contains("sub-workflow").contains("without --local");
        assertThat(LogFiles.read(log).get("status")).isEqualTo("FAILED");
    }

    @Test
    void runningWithoutAPlatformOrLocalIsAUsageError() {
        Cli.Result r = Cli.run(dir, "run", workflow.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--server").contains("--local");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> records(Map<String, Object> doc) {
        return (List<Map<String, Object>>) doc.get("node_records");
    }
}
