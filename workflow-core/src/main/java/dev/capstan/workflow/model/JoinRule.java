package dev.capstan.workflow.model;

import java.util.Locale;

/**
 * When a node with several incoming edges may run. The five OpenWOP trigger rules, plus {@link #DEFAULT}
 * (wait for every incoming edge to be decided, run if at least one was taken — what an un-annotated merge
 * after conditional branches needs) and {@link #AT_LEAST_N} (OSOP {@code wait_n}).
 */
public enum JoinRule {
    DEFAULT, ALL_SUCCESS, ANY_SUCCESS, ALL_COMPLETE, NONE_FAILED, ANY_FAILED, AT_LEAST_N;

    public static JoinRule parseOpenWop(String s) {
        return s == null ? DEFAULT : valueOf(s.toUpperCase(Locale.ROOT));
    }

    /** OSOP {@code join_mode}: wait_all | wait_any | wait_n. */
    public static JoinRule parseOsop(String s) {
        if (s == null) {
            return DEFAULT;
        }
        return switch (s) {
            case "wait_all" -> ALL_SUCCESS;
            case "wait_any" -> ANY_SUCCESS;
            case "wait_n" -> AT_LEAST_N;
            default -> throw new IllegalArgumentException("unknown join_mode " + s);
        };
    }

    /** Rules under which an upstream failure is an expected input, not a reason to fail the run. */
    public boolean toleratesFailure() {
        return this == ALL_COMPLETE || this == ANY_FAILED;
    }

    /** Rules that decide nothing while any incoming source is still unsettled. */
    public boolean waitsForAll() {
        return this == DEFAULT || this == ALL_SUCCESS || this == ALL_COMPLETE || this == NONE_FAILED;
    }
}
