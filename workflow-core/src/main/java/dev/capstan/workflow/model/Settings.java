package dev.capstan.workflow.model;

/**
 * Workflow-level limits. Null means "not set" (the engine then uses its defaults or the run options).
 *
 * @param runTimeoutMs      whole-run wall-clock limit
 * @param maxLoopIterations how often a loop edge may re-enter its body (OpenWOP maxLoopbackIterations)
 * @param maxNodeExecutions node-execution cap for one run
 * @param budgetUsd         cost budget for one run
 */
public record Settings(Long runTimeoutMs, Integer maxLoopIterations, Integer maxNodeExecutions, Double budgetUsd) {
    public static final Settings NONE = new Settings(null, null, null, null);
}
