package dev.capstan.workflow.engine;

/** What a scheduled timer is for. */
public enum TimerKind { RUN_TIMEOUT, NODE_TIMEOUT, RETRY, DELAY, INTERRUPT_TIMEOUT }
