package dev.capstan.node.handler;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps an OSOP {@code api} node (the keys the reference executor reads: {@code runtime.method}, {@code url} +
 * {@code endpoint}, {@code headers}, {@code body}, {@code query_params}, {@code expected_status};
 * {@code security.auth: bearer_token} with {@code security.secret_ref}; {@code content_type} or
 * {@code body_type} for form, multipart and raw bodies) to the HTTP node's configuration. Declared outputs are
 * applied to the result by {@link OsopOutputs}.
 */
final class OsopApiConfig {

    private OsopApiConfig() {
    }

    static Map<String, Object> toHttpConfig(Map<String, Object> node) {
        Map<String, Object> rt = node.get("runtime") instanceof Map<?, ?> m ? Nodes.stringKeys(m) : Map.of();
        Map<String, Object> sec = node.get("security") instanceof Map<?, ?> m ? Nodes.stringKeys(m) : Map.of();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("method", rt.getOrDefault("method", "GET"));
        String url = rt.get("url") instanceof String u ? u : "";
        if (rt.get("endpoint") instanceof String e) {
            url = url + e;
        }
        c.put("url", url);
        c.put("headers", rt.get("headers"));
        c.put("body", rt.getOrDefault("body", rt.get("body_template")));
        c.put("query", rt.get("query_params"));
        // OSOP writes the body's encoding as runtime.content_type (or a Content-Type header, which the HTTP
        // handler reads itself); body_type / bodyType name it the way the HTTP node does.
        Object bodyType = rt.getOrDefault("body_type", rt.get("bodyType"));
        if (bodyType instanceof String t) {
            c.put("bodyType", t);
        } else if (rt.get("content_type") instanceof String ct) {
            String type = HttpNodeHandler.bodyTypeOf(ct);
            if (type != null) {
                c.put("bodyType", type);
            }
            if ("raw".equals(type) || type == null) {
                c.put("bodyType", "raw");
                c.put("contentType", ct);
            }
        }
        if (rt.get("expected_status") != null) {
            c.put("expectedStatus", rt.get("expected_status"));
        }
        if (node.get("timeout_sec") instanceof Number t) {
            c.put("timeoutMs", Math.round(t.doubleValue() * 1000));
        }
        Object auth = rt.get("auth") instanceof Map<?, ?> ra ? Nodes.stringKeys(ra) : null;
        if (auth instanceof Map<?, ?> ra2 && ra2.get("secret_ref") instanceof String ref) {
            c.put("auth", Map.of("type", String.valueOf(ra2.get("type")), "secretRef", ref));
        } else if (sec.get("secret_ref") instanceof String ref) {
            c.put("auth", Map.of("type", String.valueOf(sec.getOrDefault("auth", "bearer")), "secretRef", ref));
        }
        return c;
    }
}
