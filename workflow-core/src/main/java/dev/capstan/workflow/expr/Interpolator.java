package dev.capstan.workflow.expr;

import dev.capstan.workflow.model.Values;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves OSOP-style {@code ${...}} references in node configuration before dispatch: {@code ${inputs.x}},
 * {@code ${variables.x}}, {@code ${outputs.node.field}}, {@code ${node.field}} and, in a for_each body,
 * {@code ${loop.<iterator_var>}} / {@code ${loop.index}}. {@code ${secrets.*}} and
 * {@code ${env.*}} are left for the executor, which resolves them from tenant secrets and never logs them;
 * unknown references are left as written.
 */
public final class Interpolator {

    private static final Pattern REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.\\-]*)}");

    private Interpolator() {
    }

    public static Map<String, Object> interpolate(Map<String, Object> config, Map<String, Object> inputs,
                                                  Map<String, Object> variables, Map<String, Object> outputs) {
        return interpolate(config, inputs, variables, outputs, Map.of());
    }

    /** As above, with {@code loop} the node's iteration context ({@code <iterator_var>}, {@code index}, {@code count}). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> interpolate(Map<String, Object> config, Map<String, Object> inputs,
                                                  Map<String, Object> variables, Map<String, Object> outputs,
                                                  Map<String, Object> loop) {
        return (Map<String, Object>) walk(config, new Scope(inputs, variables, outputs, loop == null ? Map.of() : loop));
    }

    private record Scope(Map<String, Object> inputs, Map<String, Object> variables, Map<String, Object> outputs,
                         Map<String, Object> loop) {
    }

    private static Object walk(Object v, Scope scope) {
        if (v instanceof String s) {
            return substitute(s, scope);
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), walk(x, scope)));
            return Values.freeze(out);
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(walk(x, scope)));
            return Values.freeze(out);
        }
        return v;
    }

    static Object substitute(String s, Map<String, Object> inputs, Map<String, Object> variables,
                             Map<String, Object> outputs) {
        return substitute(s, new Scope(inputs, variables, outputs, Map.of()));
    }

    private static Object substitute(String s, Scope scope) {
        Matcher m = REF.matcher(s);
        if (m.matches()) {
            Object whole = lookup(m.group(1), scope);
            return whole == null ? s : whole; // a lone reference keeps its type
        }
        StringBuilder sb = new StringBuilder();
        m.reset();
        while (m.find()) {
            Object val = lookup(m.group(1), scope);
            m.appendReplacement(sb, Matcher.quoteReplacement(val == null ? m.group() : String.valueOf(val)));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static Object lookup(String path, Scope scope) {
        Map<String, Object> inputs = scope.inputs();
        Map<String, Object> variables = scope.variables();
        Map<String, Object> outputs = scope.outputs();
        int dot = path.indexOf('.');
        if (dot < 0) {
            return null;
        }
        String root = path.substring(0, dot);
        String rest = path.substring(dot + 1);
        return switch (root) {
            case "secrets", "env" -> null;
            case "inputs" -> Values.path(inputs, rest);
            case "variables", "vars" -> Values.path(variables, rest);
            case "outputs" -> Values.path(outputs, rest);
            case "loop" -> scope.loop().isEmpty() ? Values.path(outputs, path) : Values.path(scope.loop(), rest);
            default -> Values.path(outputs, path);
        };
    }
}
