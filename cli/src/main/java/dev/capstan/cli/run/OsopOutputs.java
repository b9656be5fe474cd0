package dev.capstan.cli.run;

import dev.capstan.workflow.model.Node;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The output names OSOP API nodes declare ({@code outputs: [{customer_id: "data.id"}]} and
 * {@code runtime.response_mapping: {key: "$.a.b"}}), taken from the response body, so that later nodes can write
 * {@code ${create_customer.customer_id}}. The shared HTTP handler returns only {@code status}, {@code headers} and
 * {@code body}; the mapping is an OSOP convention the CLI applies on top.
 */
final class OsopOutputs {

    private OsopOutputs() {
    }

    static Map<String, Object> apply(Node node, Map<String, Object> outputs) {
        if (!"osop.api".equals(node.typeId()) || !(outputs.get("body") instanceof Map<?, ?>)) {
            return outputs;
        }
        Map<String, String> mapping = new LinkedHashMap<>();
        if (node.config().get("outputs") instanceof List<?> declared) {
            for (Object o : declared) {
                if (o instanceof Map<?, ?> m && m.size() == 1 && m.values().iterator().next() instanceof String path) {
                    mapping.put(String.valueOf(m.keySet().iterator().next()), path);
                }
            }
        }
        RunLog.map(RunLog.map(node.config().get("runtime")).get("response_mapping")).forEach((k, v) -> {
            if (v instanceof String path) {
                mapping.put(k, path);
            }
        });
        if (mapping.isEmpty()) {
            return outputs;
        }
        Map<String, Object> out = new LinkedHashMap<>(outputs);
        Object body = outputs.get("body");
        // A declared name wins over the handler's own keys: `status: "data.status"` means the payment's status,
        // not the HTTP code (which the log keeps as http_status_code).
        mapping.forEach((name, path) -> {
            Object v = lookup(body, path);
            if (v != null) {
                out.put(name, v);
            }
        });
        return out;
    }

    /** {@code $.a.b}, {@code a.b} and the examples' {@code data.a.b} (where {@code data} is the response body). */
    static Object lookup(Object body, String path) {
        String p = path.startsWith("$.") ? path.substring(2) : path.startsWith("$") ? path.substring(1) : path;
        Object v = walk(body, p);
        if (v == null && p.startsWith("data.")) {
            v = walk(body, p.substring(5));
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
            } else if (cur instanceof List<?> l && part.matches("\\d+") && Integer.parseInt(part) < l.size()) {
                cur = l.get(Integer.parseInt(part));
            } else {
                return null;
            }
        }
        return cur;
    }
}
