package dev.capstan.node.handler;

import dev.capstan.node.NodeOutcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The named outputs an OSOP {@code api} node declares, taken from the response: {@code outputs: [{customer_id:
 * "data.id"}]} (list form), {@code outputs: {customer_id: "data.id"}} (map form) and
 * {@code runtime.response_mapping: {customer_id: "$.id"}}. Paths are {@code $.a.b}, {@code a.b} or
 * {@code data.a.b} ({@code data} is the response body); a numeric segment indexes a list. A bare name
 * ({@code outputs: [customer_id]}) takes the body field of that name.
 *
 * <p>Precedence: a declared output wins over the handler's own keys ({@code status}, {@code headers},
 * {@code body}) — {@code status: "data.status"} means the payment's status; the HTTP status code stays in the
 * result's {@code http.status}. {@code response_mapping} wins over {@code outputs} for the same name. A declared
 * path the response does not have gives {@code null}, so a declared output is always present.
 */
public final class OsopOutputs {

    private OsopOutputs() {
    }

    /** Output name to path, in declaration order; empty when the node declares none. */
    public static Map<String, String> declared(Map<String, Object> node) {
        Map<String, String> mapping = new LinkedHashMap<>();
        Object outputs = node.get("outputs");
        if (outputs instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m) {
                    m.forEach((k, v) -> {
                        if (v instanceof String path) {
                            mapping.put(String.valueOf(k), path);
                        }
                    });
                } else if (o instanceof String name && !name.isBlank()) {
                    mapping.put(name, name);
                }
            }
        } else if (outputs instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                if (v instanceof String path) {
                    mapping.put(String.valueOf(k), path);
                }
            });
        }
        if (node.get("runtime") instanceof Map<?, ?> rt && rt.get("response_mapping") instanceof Map<?, ?> rm) {
            rm.forEach((k, v) -> {
                if (v instanceof String path) {
                    mapping.put(String.valueOf(k), path);
                }
            });
        }
        return mapping;
    }

    /** The outcome with the declared outputs added to a completed one; others unchanged. */
    public static NodeOutcome apply(Map<String, Object> node, NodeOutcome outcome) {
        if (!(outcome instanceof NodeOutcome.Completed c)) {
            return outcome;
        }
        Map<String, String> mapping = declared(node);
        if (mapping.isEmpty()) {
            return outcome;
        }
        Map<String, Object> out = new LinkedHashMap<>(c.outputs());
        Object body = c.outputs().get("body");
        mapping.forEach((name, path) -> out.put(name, lookup(body, path)));
        return new NodeOutcome.Completed(out, c.cost(), c.http(), c.variables());
    }

    /** {@code $.a.b}, {@code a.b} and {@code data.a.b}; null when the body has no such value. */
    public static Object lookup(Object body, String path) {
        String p = path.startsWith("$.") ? path.substring(2) : path.startsWith("$") ? path.substring(1) : path;
        Object v = walk(body, p);
        if (v == null && (p.equals("data") || p.startsWith("data."))) {
            v = walk(body, p.equals("data") ? "" : p.substring(5));
        }
        return v;
    }

    private static Object walk(Object cur, String path) {
        if (path.isEmpty()) {
            return cur;
        }
        for (String part : path.split("\\.")) {
            if (cur instanceof Map<?, ?> m) {
                cur = m.get(part);
            } else if (cur instanceof List<?> l && part.matches("\\d{1,9}") && Integer.parseInt(part) < l.size()) {
                cur = l.get(Integer.parseInt(part));
            } else {
                return null;
            }
        }
        return cur;
    }
}
