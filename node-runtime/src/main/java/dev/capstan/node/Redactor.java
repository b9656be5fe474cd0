package dev.capstan.node;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Replaces secret values wherever they appear in strings, maps and lists. */
public final class Redactor {

    public static final String MASK = "[REDACTED]";
    /** Values this short would mask ordinary text; they are still never logged on purpose. */
    private static final int MIN_LENGTH = 4;

    private final List<String> values;

    public Redactor(Set<String> values) {
        // Longest first, so a secret that contains another is masked whole.
        this.values = values.stream().filter(v -> v != null && v.length() >= MIN_LENGTH)
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    public String redact(String s) {
        if (s == null || values.isEmpty()) {
            return s;
        }
        String out = s;
        for (String v : values) {
            if (out.contains(v)) {
                out = out.replace(v, MASK);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    public <T> T redactValue(T value) {
        if (values.isEmpty() || value == null) {
            return value;
        }
        if (value instanceof String s) {
            return (T) redact(s);
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(redact(String.valueOf(k)), redactValue(v)));
            return (T) out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(v -> out.add(redactValue(v)));
            return (T) out;
        }
        return value;
    }
}
