package dev.capstan.run.service;

import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * OpenWOP SSE stream modes and which events each admits: {@code updates} (state transitions),
 * {@code values} (a {@code state.snapshot} per transition; not combinable), {@code messages}
 * (model output chunks) and {@code debug} (everything). A mix admits the union.
 */
public record StreamModes(Set<String> modes) {

    public static final List<String> SUPPORTED = List.of("updates", "values", "messages", "debug");
    private static final Set<String> UPDATE_TYPES = Set.of("run.started", "run.completed", "run.failed", "run.cancelled",
            "run.paused", "run.resumed", "run.annotated", "node.completed", "node.failed", "node.skipped", "node.suspended",
            "node.dispatched", "artifact.created", "workspace.updated");
    private static final List<String> UPDATE_PREFIXES = List.of("approval.", "clarification.", "interrupt.", "eval.", "deployment.");

    /** Parses {@code ?streamMode=}; 400 {@code unsupported_stream_mode} for anything else. */
    public static StreamModes parse(String raw) {
        Set<String> modes = new LinkedHashSet<>();
        for (String part : (raw == null || raw.isBlank() ? "updates" : raw).split(",")) {
            String mode = part.trim().toLowerCase(Locale.ROOT);
            if (!SUPPORTED.contains(mode)) {
                throw unsupported("Unsupported stream mode \"" + part.trim() + "\".");
            }
            modes.add(mode);
        }
        if (modes.contains("values") && modes.size() > 1) {
            throw unsupported("The values stream mode cannot be combined with other modes.");
        }
        return new StreamModes(Set.copyOf(modes));
    }

    private static ApiException unsupported(String message) {
        return new ApiException(ErrorCode.UNSUPPORTED_STREAM_MODE, message, Map.of("supported", SUPPORTED));
    }

    public boolean values() {
        return modes.contains("values");
    }

    /** Whether an event of this type is a state transition (the updates tier). */
    public static boolean isUpdate(String type) {
        return UPDATE_TYPES.contains(type) || UPDATE_PREFIXES.stream().anyMatch(type::startsWith);
    }

    /** Whether the event itself is sent (in values mode, transitions are sent as snapshots instead). */
    public boolean admits(String type) {
        if (modes.contains("debug")) {
            return true;
        }
        if (modes.contains("updates") && isUpdate(type)) {
            return true;
        }
        return modes.contains("messages") && type.equals("ai.message.chunk");
    }
}
