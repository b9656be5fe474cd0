package dev.capstan.workflow.model;

import dev.capstan.workflow.expr.CompiledExpression;

/** An OpenWOP node input: a static value, an expression, a connection to another node's output, or a variable. */
public sealed interface PortValue {

    record Static(Object value) implements PortValue {
        public Static {
            value = Values.freeze(value);
        }
    }

    record Expression(CompiledExpression expression) implements PortValue {
    }

    record Connection(String nodeId, String outputKey, boolean optional) implements PortValue {
    }

    record Variable(String variableName, boolean optional) implements PortValue {
    }
}
