package dev.capstan.node.handler;

import dev.capstan.node.NodeContext;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small helpers shared by handlers. */
final class Nodes {

    private Nodes() {
    }

    static Map<String, Object> stringKeys(Map<?, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    /** An input port's value, else the same key in the configuration. */
    static Object param(NodeContext ctx, String name) {
        Object v = ctx.inputs().get(name);
        return v != null ? v : ctx.config().get(name);
    }

    static boolean truthy(Object v) {
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number n) {
            return n.doubleValue() != 0;
        }
        if (v instanceof String s) {
            return !s.isEmpty() && !s.equalsIgnoreCase("false") && !s.equals("0");
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        if (v instanceof java.util.Collection<?> c) {
            return !c.isEmpty();
        }
        return true;
    }
}
