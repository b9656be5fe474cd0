package dev.capstan.node.handler;

import dev.capstan.node.NodeContext;
import dev.capstan.node.NodeRuntimeSettings;
import dev.capstan.node.NodeFailure;
import dev.capstan.node.NodeHandler;
import dev.capstan.node.NodeOutcome;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Shell nodes ({@code core.shell}; OSOP {@code osop.cli}). Refused unless the tenant's policy
 * ({@code capstan.executor.shell.allow-exec-tenants}) and the run ({@code allowExec} option) both allow
 * execution. The command runs as an argv without a shell ({@code argv} list, or OSOP {@code runtime.command}
 * split on whitespace), in a fresh scratch folder, with only allow-listed environment variables, a timeout,
 * and stdout/stderr cut at a cap. Output goes to files, so no thread waits on a pipe. A cancel or timeout kills
 * the process and every descendant.
 */
public class ShellNodeHandler implements NodeHandler {

    private final NodeRuntimeSettings.Shell settings;

    public ShellNodeHandler(NodeRuntimeSettings config) {
        this.settings = config.shell();
    }

    @Override
    public Set<String> typeIds() {
        return Set.of("core.shell", "osop.cli");
    }

    @Override
    public boolean sideEffecting() {
        return true;
    }

    @Override
    public CompletionStage<NodeOutcome> execute(NodeContext ctx) {
        boolean tenantAllows = ctx.policy().execAllowed(settings, ctx.tenantId());
        if (!tenantAllows || !ctx.option("allowExec")) {
            throw new NodeFailure("exec_forbidden", "Shell execution needs both the tenant's policy and the run's"
                    + " allowExec option" + (tenantAllows ? "; the run does not allow it." : "; the tenant's policy does not allow it."),
                    false);
        }
        List<String> argv = argv(ctx.config());
        Path scratch;
        Process process;
        try {
            Path root = Path.of(settings.scratchRoot());
            Files.createDirectories(root);
            scratch = Files.createTempDirectory(root, "node-");
            ProcessBuilder pb = new ProcessBuilder(argv).directory(scratch.toFile())
                    .redirectOutput(scratch.resolve(".stdout").toFile())
                    .redirectError(scratch.resolve(".stderr").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(nullFile()));
            Map<String, String> env = pb.environment();
            Map<String, String> inherited = new LinkedHashMap<>(env);
            env.clear();
            for (String name : settings.envAllowList()) {
                if (inherited.containsKey(name)) {
                    env.put(name, inherited.get(name));
                }
            }
            if (ctx.config().get("env") instanceof Map<?, ?> asked) {
                asked.forEach((k, v) -> {
                    if (settings.envAllowList().contains(String.valueOf(k)) && v != null) {
                        env.put(String.valueOf(k), String.valueOf(v));
                    }
                });
            }
            env.put("HOME", scratch.toString());
            ctx.cancellation().throwIfCancelled();
            process = pb.start();
        } catch (IOException e) {
            throw new NodeFailure("exec_failed", "The command could not be started: " + e.getMessage(), false);
        }
        long timeoutMs = ctx.config().get("timeoutMs") instanceof Number n ? n.longValue() : settings.defaultTimeoutMs();
        Path dir = scratch;
        // A cancelled attempt (or one the runner timed out) kills the whole tree: children first, so none is
        // re-parented and left running when its parent dies.
        ctx.cancellation().onCancel(() -> killTree(process));
        return process.onExit().orTimeout(timeoutMs, TimeUnit.MILLISECONDS).handle((p, error) -> {
            try {
                if (error != null) {
                    killTree(process);
                    if (error instanceof TimeoutException || error.getCause() instanceof TimeoutException) {
                        return (NodeOutcome) new NodeOutcome.Failed(NodeOutcome.NodeError.of("exec_timeout",
                                "The command did not finish within " + timeoutMs + " ms.", true));
                    }
                    throw new NodeFailure("exec_failed", "The command failed: " + error.getClass().getSimpleName(), true);
                }
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("exitCode", p.exitValue());
                boolean[] truncated = new boolean[1];
                out.put("stdout", read(dir.resolve(".stdout"), truncated));
                out.put("stderr", read(dir.resolve(".stderr"), truncated));
                out.put("truncated", truncated[0]);
                if (p.exitValue() != 0) {
                    return new NodeOutcome.Failed(new NodeOutcome.NodeError("exec_failed",
                            "The command exited with " + p.exitValue() + ".", false, out));
                }
                return new NodeOutcome.Completed(out);
            } finally {
                delete(dir);
            }
        });
    }

    static void killTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static List<String> argv(Map<String, Object> c) {
        List<String> argv = new ArrayList<>();
        if (c.get("argv") instanceof List<?> l) {
            l.forEach(x -> argv.add(String.valueOf(x)));
        } else if (c.get("runtime") instanceof Map<?, ?> rt && rt.get("command") instanceof String cmd) {
            argv.addAll(List.of(cmd.trim().split("\\s+")));
        } else if (c.get("command") instanceof String cmd) {
            argv.addAll(List.of(cmd.trim().split("\\s+")));
        }
        if (argv.isEmpty() || argv.get(0).isBlank()) {
            throw new NodeFailure("validation_error", "The shell node needs argv (a list) or a command.", false);
        }
        return argv;
    }

    private String read(Path file, boolean[] truncated) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(settings.maxOutputBytes() + 1);
            if (bytes.length > settings.maxOutputBytes()) {
                truncated[0] = true;
                bytes = java.util.Arrays.copyOf(bytes, settings.maxOutputBytes());
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static java.io.File nullFile() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // A leftover scratch folder is harmless; the next start does not reuse it.
        }
    }
}
