package dev.capstan.node;

import java.util.Map;
import java.util.Optional;

/**
 * Everything a handler may use for one attempt: the command, its configuration with {@code ${secrets.*}} and
 * {@code ${inputs.*}} resolved, the tenant's secrets by name (every value handed out is remembered for
 * redaction), and where to stream chunks.
 */
public record NodeContext(NodeInvocation invocation, Map<String, Object> config, TenantSecrets secrets,
                          ProgressSink progress, long timeoutMs) {

    public Map<String, Object> inputs() {
        return invocation.inputs();
    }

    public String tenantId() {
        return invocation.tenantId();
    }

    public boolean option(String name) {
        return Boolean.TRUE.equals(invocation.options().get(name)) || "true".equals(invocation.options().get(name));
    }

    public Optional<Object> optionValue(String name) {
        return Optional.ofNullable(invocation.options().get(name));
    }
}
