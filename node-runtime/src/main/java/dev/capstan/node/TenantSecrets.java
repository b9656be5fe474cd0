package dev.capstan.node;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One tenant's secrets for one node attempt. Every value looked up is remembered so that the result, the
 * error and log lines can be redacted before they leave the executor.
 */
public final class TenantSecrets {

    private final Map<String, String> byName;
    private final Set<String> used = Collections.synchronizedSet(new LinkedHashSet<>());

    public TenantSecrets(Map<String, String> byName) {
        this.byName = byName == null ? Map.of() : Map.copyOf(byName);
    }

    public Optional<String> get(String name) {
        String v = byName.get(name);
        if (v != null && !v.isEmpty()) {
            used.add(v);
        }
        return Optional.ofNullable(v);
    }

    /** The value or a non-retryable {@code credential_unavailable} failure naming the secret (never its value). */
    public String require(String name) {
        return get(name).orElseThrow(() -> new NodeFailure("credential_unavailable",
                "The secret '" + name + "' is not set for this tenant.", false));
    }

    public Redactor redactor() {
        // All of the tenant's values, not only those looked up: a server may echo a secret the node never asked for.
        Set<String> values = new LinkedHashSet<>(byName.values());
        synchronized (used) {
            values.addAll(used);
        }
        return new Redactor(values);
    }
}
