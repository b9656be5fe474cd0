package dev.capstan.executor.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.executor.service.TenantAgents;
import dev.capstan.node.NodeHandlerRegistry;
import dev.capstan.node.NodeRuntimeSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the shared node handlers from this service's typed config. */
@ApplicationScoped
public class NodeRuntimeProducer {

    @Produces
    @ApplicationScoped
    NodeHandlerRegistry handlers(ExecutorConfig config, ObjectMapper json, TenantAgents agents) {
        return NodeHandlerRegistry.standard(settings(config), json, agents);
    }

    static NodeRuntimeSettings settings(ExecutorConfig config) {
        ExecutorConfig.Http h = config.http();
        ExecutorConfig.Llm l = config.llm();
        ExecutorConfig.Shell s = config.shell();
        Map<String, NodeRuntimeSettings.ModelPrice> prices = new LinkedHashMap<>();
        l.prices().forEach((model, p) -> prices.put(model, new NodeRuntimeSettings.ModelPrice(p.inputPerMtok(), p.outputPerMtok())));
        return new NodeRuntimeSettings(
                new NodeRuntimeSettings.Http(h.allowPrivateTargets(), h.privateTargetTenants(), h.defaultTimeoutMs(),
                        h.defaultMaxRetries(), h.backoffMs(), h.maxRetryAfterMs(), h.maxResponseBytes(), h.previewBytes()),
                new NodeRuntimeSettings.Llm(l.openaiBaseUrl(), l.anthropicBaseUrl(), l.apiKeys(), prices, l.defaultTimeoutMs()),
                new NodeRuntimeSettings.Shell(s.allowExecTenants(), s.scratchRoot(), s.envAllowList(), s.defaultTimeoutMs(),
                        s.maxOutputBytes()));
    }
}
