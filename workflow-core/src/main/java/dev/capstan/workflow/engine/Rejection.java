package dev.capstan.workflow.engine;

import java.util.List;

/**
 * Why an input was refused; no events were produced. Codes are the OpenWOP error codes a service maps to HTTP:
 * {@code validation_error} (400/422), {@code forbidden} (403: not among an approval's {@code approversList}),
 * {@code interrupt_not_found} (404), {@code interrupt_already_resolved}, {@code vote_already_cast}, {@code run_terminal},
 * {@code invalid_state}, {@code run_already_started} (409), {@code stale_attempt} (ignore).
 */
public record Rejection(String code, String message, List<String> details) {
    public Rejection {
        details = List.copyOf(details);
    }

    public static Rejection of(String code, String message) {
        return new Rejection(code, message, List.of());
    }
}
