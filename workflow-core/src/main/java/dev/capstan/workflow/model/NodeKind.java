package dev.capstan.workflow.model;

/**
 * How the engine treats a node: TASK nodes are dispatched to an executor; INTERRUPT nodes wait for a person
 * or an external event; DELAY nodes wait for a timer. Everything else about a node is data for its executor.
 */
public enum NodeKind { TASK, INTERRUPT, DELAY }
