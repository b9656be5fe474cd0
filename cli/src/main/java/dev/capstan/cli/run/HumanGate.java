package dev.capstan.cli.run;

import dev.capstan.cli.Terminal;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Answers what a run asks a person: approvals (yes with {@code --approve}, else at the terminal prompt) and
 * clarifications ({@code --answer ID=TEXT}, else at the prompt). Without a terminal and without those flags nobody
 * can answer, and the caller stops the run with a clear message.
 */
public final class HumanGate {

    public static final String APPROVE_FLAG_ACTOR = "capstan-cli --approve";

    /** A resume value and who gave it. */
    public record Answer(Object resumeValue, String actor) {
    }

    private final Terminal terminal;
    private final boolean approve;
    private final Map<String, String> answers;
    private final PrintWriter out;
    private final String user;

    public HumanGate(Terminal terminal, boolean approve, Map<String, String> answers, PrintWriter out, String user) {
        this.terminal = terminal;
        this.approve = approve;
        this.answers = answers;
        this.out = out;
        this.user = user;
    }

    /** Whether anybody can answer an approval: the flag or a person at a terminal. */
    public boolean canApprove() {
        return approve || terminal.interactive();
    }

    /** Asks a yes/no question ({@code --approve} answers yes). Empty when nobody can answer. */
    public Optional<Answer> confirm(String question) {
        if (approve) {
            out.println(question + " yes (--approve)");
            out.flush();
            return Optional.of(new Answer(true, APPROVE_FLAG_ACTOR));
        }
        if (!terminal.interactive()) {
            return Optional.empty();
        }
        out.flush();
        Optional<String> reply = terminal.ask(question + " [y/N] ");
        return reply.map(r -> new Answer(yes(r), user));
    }

    /**
     * The resume value for an interrupt of {@code kind} ({@code approval}, {@code clarification}, ...), or empty when
     * nobody can answer it.
     */
    public Optional<Answer> answer(String nodeId, String kind, Map<String, Object> data) {
        String title = String.valueOf(data.getOrDefault("title", nodeId));
        if ("clarification".equals(kind)) {
            return clarify(nodeId, title, data);
        }
        if (!"approval".equals(kind)) {
            // External events and custom human steps: a person (or --approve) lets the run go on.
            return confirm("Node '" + nodeId + "' (" + title + ") waits for " + kind + ". Continue?")
                    .map(a -> new Answer(Map.of("action", Boolean.TRUE.equals(a.resumeValue()) ? "accept" : "reject"), a.actor()));
        }
        if (approve) {
            out.println("Approval for '" + title + "': accepted (--approve)");
            out.flush();
            return Optional.of(new Answer(RunLog.ordered("action", "accept", "notes", "approved with --approve"), APPROVE_FLAG_ACTOR));
        }
        if (!terminal.interactive()) {
            return Optional.empty();
        }
        out.println();
        out.println("Approval needed: " + title + " (node " + nodeId + ")");
        if (data.get("description") != null) {
            out.println("  " + data.get("description"));
        }
        out.flush();
        Optional<String> reply = terminal.ask("Approve? [y/N] ");
        if (reply.isEmpty()) {
            return Optional.empty();
        }
        boolean yes = yes(reply.get());
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("action", yes ? "accept" : "reject");
        value.put("notes", yes ? "approved at the terminal" : "rejected at the terminal");
        return Optional.of(new Answer(value, user));
    }

    private Optional<Answer> clarify(String nodeId, String title, Map<String, Object> data) {
        Map<String, Object> given = new LinkedHashMap<>();
        List<?> questions = data.get("questions") instanceof List<?> l ? l : List.of();
        boolean fromTerminal = false;
        for (Object q : questions) {
            Map<String, Object> qm = RunLog.map(q);
            String id = String.valueOf(qm.getOrDefault("id", "q1"));
            String text = String.valueOf(qm.getOrDefault("question", title));
            String a = answers.getOrDefault(nodeId + "." + id, answers.get(id));
            if (a == null) {
                if (!terminal.interactive()) {
                    return Optional.empty();
                }
                out.println();
                out.println("Question from node " + nodeId + ": " + text);
                out.flush();
                Optional<String> reply = terminal.ask("> ");
                if (reply.isEmpty()) {
                    return Optional.empty();
                }
                a = reply.get();
                fromTerminal = true;
            }
            given.put(id, a);
        }
        return Optional.of(new Answer(Map.of("answers", given), fromTerminal ? user : "capstan-cli --answer"));
    }

    private static boolean yes(String reply) {
        String r = reply.trim().toLowerCase(Locale.ROOT);
        return r.equals("y") || r.equals("yes");
    }
}
