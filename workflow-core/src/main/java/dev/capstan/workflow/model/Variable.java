package dev.capstan.workflow.model;

/** A declared workflow variable; run inputs with the same name override the default. */
public record Variable(String name, String type, boolean required, Object defaultValue, boolean sensitive) {
    public Variable {
        defaultValue = Values.freeze(defaultValue);
    }
}
