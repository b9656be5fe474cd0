package dev.capstan.executor.service;

import dev.capstan.common.messaging.NodeDispatchMessage;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a handler may use for one attempt: the command, its configuration with {@code ${secrets.*}} and
 * {@code ${inputs.*}} resolved, the tenant's secrets by name (every value handed out is remembered for
 * redaction), and where to stream chunks.
 */
public record NodeContext(NodeDispatchMessage dispatch, Map<String, Object> config, TenantSecrets secrets,
                          ProgressSink progress, long timeoutMs) {

    public Map<String, Object> inputs() {
        return dispatch.inputs();
    }

    public String tenantId() {
        return dispatch.tenantId();
    }

    public boolean option(String name) {
        return Boolean.TRUE.equals(dispatch.options().get(name)) || "true".equals(dispatch.options().get(name));
    }

    public Optional<Object> optionValue(String name) {
        return Optional.ofNullable(dispatch.options().get(name));
    }
}
