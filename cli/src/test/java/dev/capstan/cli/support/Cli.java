package dev.capstan.cli.support;

import dev.capstan.cli.CapstanCli;
import dev.capstan.cli.CliEnvironment;
import dev.capstan.cli.Terminal;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Runs the real command line in-process with a given working directory, environment and terminal. */
public final class Cli {

    public record Result(int exit, String out, String err) {
        public String all() {
            return out + err;
        }
    }

    /** A terminal that answers from a script and records what it was asked. */
    public static final class ScriptedTerminal implements Terminal {
        private final Deque<String> replies;
        public final List<String> prompts = new ArrayList<>();

        public ScriptedTerminal(String... replies) {
            this.replies = new ArrayDeque<>(List.of(replies));
        }

        @Override
        public boolean interactive() {
            return true;
        }

        @Override
        public synchronized Optional<String> ask(String prompt) {
            prompts.add(prompt);
            return Optional.ofNullable(replies.poll());
        }
    }

    private Cli() {
    }

    public static Result run(Path workingDirectory, String... args) {
        return run(workingDirectory, Map.of(), Terminal.NONE, args);
    }

    public static Result run(Path workingDirectory, Map<String, String> env, Terminal terminal, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = CapstanCli.commandLine(new CliEnvironment(env, terminal, workingDirectory))
                .setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new Result(exit, out.toString(), err.toString());
    }
}
