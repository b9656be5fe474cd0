package dev.capstan.cli.command;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.cli.CliEnvironment;
import dev.capstan.cli.CliFailure;
import dev.capstan.cli.report.HtmlReport;
import dev.capstan.cli.run.HumanGate;
import dev.capstan.cli.run.LocalRun;
import dev.capstan.cli.run.LogFiles;
import dev.capstan.cli.run.PlatformConfig;
import dev.capstan.cli.run.Preflight;
import dev.capstan.cli.run.ProgressPrinter;
import dev.capstan.cli.run.RemoteRun;
import dev.capstan.cli.run.RiskView;
import dev.capstan.cli.run.RunLog;
import dev.capstan.cli.run.RunSettings;
import dev.capstan.cli.run.Runner;
import dev.capstan.cli.workflow.WorkflowFile;
import dev.capstan.workflow.model.WorkflowDefinition;
import dev.capstan.workflow.risk.RiskAssessor;
import dev.capstan.workflow.risk.RiskReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "run", sortOptions = false,
        description = {"Run a workflow on the platform (--server, CAPSTAN_URL or .capstan/env) or in this process (--local).",
                "A risk score above 30 or any approval gate asks for approval first (--approve answers yes)."})
public final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The workflow file (OSOP or OpenWOP).")
    Path file;

    @Option(names = "--input", paramLabel = "KEY=VALUE", description = "A run input; VALUE is read as JSON when it parses"
            + " (numbers, true, {...}), else as text. Repeatable.")
    Map<String, String> inputs = new LinkedHashMap<>();

    @Option(names = "--local", description = "Run in this process with the executor's node handlers: no platform needed.")
    boolean local;

    @Option(names = "--server", paramLabel = "URL", description = "The platform's gateway, e.g. http://localhost:8080.")
    String server;

    @Option(names = "--api-key", paramLabel = "KEY", description = "API key for --server (or CAPSTAN_API_KEY).")
    String apiKey;

    @Option(names = "--approve", description = "Answer yes to the pre-flight question and to every approval interrupt.")
    boolean approve;

    @Option(names = "--answer", paramLabel = "ID=TEXT", description = "Answer to a clarification question (ID or NODE.ID)."
            + " Repeatable.")
    Map<String, String> answers = new LinkedHashMap<>();

    @Option(names = "--allow-exec", description = "Allow shell (cli) nodes to run commands.")
    boolean allowExec;

    @Option(names = "--max-cost", paramLabel = "USD", description = "Stop the run before it spends more than this.")
    Double maxCost;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Fail the run after this long.")
    Long timeoutSeconds;

    @Option(names = "--log", arity = "0..1", fallbackValue = "", paramLabel = "PATH",
            description = "Write the OSOP execution log (default <workflow-id>.osoplog.yaml).")
    String log;

    @Option(names = "--report", paramLabel = "PATH", description = "Also write the HTML report of the run.")
    Path report;

    @Option(names = "--secret", paramLabel = "NAME=VALUE", description = "A value for ${secrets.NAME} (--local; also read"
            + " from CAPSTAN_SECRET_<NAME>). Never written to the log. Repeatable.")
    Map<String, String> secrets = new LinkedHashMap<>();

    @Option(names = "--no-private-targets", description = "Refuse HTTP calls to loopback and private addresses, as the"
            + " platform does (--local allows them by default: it runs on your own machine).")
    boolean noPrivateTargets;

    @Option(names = "--mock-llm", description = "Agent nodes answer with a deterministic mock model (--local).")
    boolean mockLlm;

    private final CliEnvironment environment;

    public RunCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (local && server != null) {
            throw CliFailure.usage("--local and --server exclude each other");
        }
        WorkflowFile workflow = WorkflowFile.readValid(file);
        WorkflowDefinition def = workflow.definition();
        // Without --local a platform must be configured; resolving fails with a message naming both ways to run.
        PlatformConfig platform = local ? null : PlatformConfig.resolve(server, apiKey, environment);
        boolean runLocally = platform == null;
        if (!runLocally) {
            warnLocalOnly(out);
        }
        Clock clock = Clock.systemUTC();
        String user = System.getProperty("user.name", "user");
        RunSettings settings = new RunSettings(parseInputs(), allowExec, maxCost, approve, answers, secrets(), !noPrivateTargets,
                mockLlm, timeoutSeconds, logPath(def));
        RunLog runLog = new RunLog(def, runLocally ? "executor" : "platform", user, clock.instant());
        RiskReport risk = RiskAssessor.assess(def);
        runLog.risk(RiskView.toMap(risk));
        runLog.maxCost(maxCost);
        HumanGate gate = new HumanGate(environment.terminal(), approve, answers, out, user);
        out.println("Workflow " + def.id() + " (" + def.nodes().size() + " nodes) from " + file
                + (runLocally ? ", running in this process" : ", running on " + platform.url()));
        Optional<String> refused = Preflight.check(def, risk, settings, gate, out, runLog, clock);
        if (refused.isPresent()) {
            runLog.blocked(refused.get(), clock.instant());
            finish(runLog, settings, workflow, clock, out);
            throw CliFailure.failed(refused.get());
        }
        ProgressPrinter progress = new ProgressPrinter(out);
        Runner runner = runLocally
                ? new LocalRun(def, settings, runLog, progress, gate, out, clock, environment.variables())
                : new RemoteRun(workflow, settings, runLog, progress, gate, out, platform);
        runWithCtrlC(runner, () -> finish(runLog, settings, workflow, clock, out), out);
        String status = runLog.status();
        if ("COMPLETED".equals(status)) {
            return 0;
        }
        Map<String, Object> error = runLog.runError();
        String message = error == null ? "the run ended without completing" : String.valueOf(error.get("message"));
        throw CliFailure.failed(switch (status == null ? "FAILED" : status) {
            case "COST_LIMIT" -> "the run stopped at the cost limit of $" + maxCost + ": " + message;
            case "TIMEOUT" -> "the run timed out: " + message;
            case "BLOCKED" -> "the run was stopped by a person: " + message;
            default -> "the run failed: " + message;
        });
    }

    /** Ctrl-C asks the run to cancel and waits (a while) until it has ended and the log is written. */
    private static void runWithCtrlC(Runner runner, Runnable finish, PrintWriter out) {
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            if (finished.getCount() == 0) {
                return;
            }
            out.println();
            out.println("Cancelling the run (Ctrl-C)...");
            out.flush();
            runner.cancel("cancelled with Ctrl-C");
            try {
                finished.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "capstan-ctrl-c");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            runner.run();
            finish.run();
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C arrived: the hook is running and returns now that the run has finished.
            }
        }
    }

    private void finish(RunLog runLog, RunSettings settings, WorkflowFile workflow, Clock clock, PrintWriter out) {
        Map<String, Object> doc = runLog.toDocument(clock.instant());
        out.println("Status: " + doc.get("status") + " in " + doc.get("duration_ms") + " ms, cost $"
                + String.format("%.4f", totalCost(doc)));
        if (settings.logPath() != null) {
            LogFiles.write(settings.logPath(), doc);
            out.println("Log: " + settings.logPath());
        }
        if (report != null) {
            HtmlReport.write(report, workflow.definition(), doc);
            out.println("Report: " + report);
        }
        out.flush();
    }

    private Path logPath(WorkflowDefinition def) {
        if (log == null) {
            return null;
        }
        return log.isEmpty() ? LogFiles.defaultPath(environment.workingDirectory(), def.id()) : Path.of(log);
    }

    private void warnLocalOnly(PrintWriter out) {
        List<String> ignored = new ArrayList<>();
        if (!secrets.isEmpty()) {
            ignored.add("--secret (the platform resolves tenant secrets)");
        }
        if (mockLlm) {
            ignored.add("--mock-llm (use a test API key)");
        }
        if (noPrivateTargets) {
            ignored.add("--no-private-targets (the platform's own policy applies)");
        }
        if (allowExec) {
            ignored.add("--allow-exec (shell nodes run only where the tenant's policy allows them)");
        }
        if (!ignored.isEmpty()) {
            out.println("Note: on the platform these options have no effect: " + String.join("; ", ignored));
        }
    }

    private Map<String, String> secrets() {
        Map<String, String> all = new LinkedHashMap<>();
        environment.variables().forEach((k, v) -> {
            if (k.startsWith("CAPSTAN_SECRET_") && k.length() > "CAPSTAN_SECRET_".length()) {
                all.put(k.substring("CAPSTAN_SECRET_".length()), v);
            }
        });
        all.putAll(secrets);
        return all;
    }

    private Map<String, Object> parseInputs() {
        ObjectMapper json = new ObjectMapper();
        Map<String, Object> parsed = new LinkedHashMap<>();
        inputs.forEach((k, v) -> {
            Object value;
            try {
                value = json.readValue(v, Object.class);
            } catch (JsonProcessingException notJson) {
                value = v;
            }
            parsed.put(k, value);
        });
        return parsed;
    }

    private static double totalCost(Map<String, Object> doc) {
        return doc.get("cost") instanceof Map<?, ?> c && c.get("total_usd") instanceof Number n ? n.doubleValue() : 0;
    }
}
