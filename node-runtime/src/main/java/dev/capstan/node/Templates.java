package dev.capstan.node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves the references run-service leaves to the executor: {@code ${secrets.NAME}} from the tenant's
 * secrets and {@code ${inputs.a.b}} from the node's resolved inputs. Unknown references stay as written;
 * a lone reference keeps its type.
 */
public final class Templates {

    private static final Pattern REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.\\-]*)}");

    private Templates() {
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> resolve(Map<String, Object> config, Map<String, Object> inputs, TenantSecrets secrets) {
        return (Map<String, Object>) walk(config, inputs, secrets);
    }

    public static Object walk(Object v, Map<String, Object> inputs, TenantSecrets secrets) {
        if (v instanceof String s) {
            return substitute(s, inputs, secrets);
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), walk(x, inputs, secrets)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(walk(x, inputs, secrets)));
            return out;
        }
        return v;
    }

    static Object substitute(String s, Map<String, Object> inputs, TenantSecrets secrets) {
        Matcher m = REF.matcher(s);
        if (m.matches()) {
            Object whole = lookup(m.group(1), inputs, secrets);
            return whole == null ? s : whole;
        }
        StringBuilder sb = new StringBuilder();
        m.reset();
        while (m.find()) {
            Object val = lookup(m.group(1), inputs, secrets);
            m.appendReplacement(sb, Matcher.quoteReplacement(val == null ? m.group() : String.valueOf(val)));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static Object lookup(String path, Map<String, Object> inputs, TenantSecrets secrets) {
        if (path.startsWith("secrets.")) {
            return secrets.require(path.substring("secrets.".length()));
        }
        if (path.startsWith("inputs.")) {
            Object cur = inputs;
            for (String part : path.substring("inputs.".length()).split("\\.")) {
                if (!(cur instanceof Map<?, ?> m)) {
                    return null;
                }
                cur = m.get(part);
            }
            return cur;
        }
        return null;
    }
}
