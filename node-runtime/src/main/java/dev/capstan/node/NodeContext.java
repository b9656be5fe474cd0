package dev.capstan.node;

import java.util.Map;
import java.util.Optional;

/**
 * Everything a handler may use for one attempt: the command, its configuration with {@code ${secrets.*}} and
 * {@code ${inputs.*}} resolved, the tenant's secrets by name (every value handed out is remembered for
 * redaction), where to stream chunks, the tenant's stored policy and the attempt's cancel signal.
 */
public record NodeContext(NodeInvocation invocation, Map<String, Object> config, TenantSecrets secrets,
                          ProgressSink progress, long timeoutMs, TenantPolicy policy, Cancellation cancellation) {

    public NodeContext {
        policy = policy == null ? TenantPolicy.NONE : policy;
        cancellation = cancellation == null ? new Cancellation() : cancellation;
    }

    /** Without a stored policy and with a cancel signal nobody fires (callers from before cancellation). */
    public NodeContext(NodeInvocation invocation, Map<String, Object> config, TenantSecrets secrets,
                       ProgressSink progress, long timeoutMs) {
        this(invocation, config, secrets, progress, timeoutMs, TenantPolicy.NONE, new Cancellation());
    }

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
