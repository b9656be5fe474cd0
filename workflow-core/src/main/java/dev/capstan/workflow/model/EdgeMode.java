package dev.capstan.workflow.model;

import java.util.Locale;

/**
 * How an edge is followed. OpenWOP edges are {@link #SEQUENTIAL}, or {@link #CONDITIONAL} when they carry a
 * condition; OSOP names every mode explicitly.
 */
public enum EdgeMode {
    SEQUENTIAL, CONDITIONAL, PARALLEL, FALLBACK, LOOP, EVENT, ERROR, TIMEOUT, SPAWN, SWITCH;

    public static EdgeMode parse(String s) {
        return s == null ? SEQUENTIAL : valueOf(s.trim().toUpperCase(Locale.ROOT));
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Modes followed only when the source fails. */
    public boolean isFailurePath() {
        return this == FALLBACK || this == ERROR || this == TIMEOUT;
    }

    /** Modes that may close a cycle: each is bounded by the loop limit, so the cycle terminates. */
    public boolean mayCloseCycle() {
        return this == LOOP || this == CONDITIONAL || isFailurePath() || this == SWITCH;
    }
}
