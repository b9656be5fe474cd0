package dev.capstan.workflow.model;

/** Where a definition came from; the model is the same whichever it was. */
public enum SourceFormat { OPENWOP, OSOP, STEP_LIST }
