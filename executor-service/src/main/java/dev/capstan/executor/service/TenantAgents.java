package dev.capstan.executor.service;

import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.executor.config.ExecutorConfig;
import dev.capstan.executor.repository.AgentRepository;
import dev.capstan.node.AgentDirectory;
import dev.capstan.node.AgentProfile;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Each tenant's agent definitions ({@code agent_definitions}), which {@code capstan.agentStep} nodes look up by the
 * step's agentId. Lookups (misses too) are cached for {@code tenant-cache-ms}; writes through this instance clear the
 * tenant's entries at once, other instances see them when their cache runs out.
 */
@ApplicationScoped
public class TenantAgents implements AgentDirectory {

    private static final Pattern AGENT_ID = Pattern.compile("[A-Za-z0-9_.:\\-]{1,128}");
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9_.\\-]{1,128}");
    private static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.\\-]{0,255}");
    private static final Set<String> PROVIDERS = Set.of("openai", "anthropic");
    private static final int MAX_PROMPT_CHARS = 65_536;

    private record Cached(Optional<AgentProfile> agent, long until) {
    }

    private final AgentRepository store;
    private final ExecutorConfig config;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public TenantAgents(AgentRepository store, ExecutorConfig config) {
        this.store = store;
        this.config = config;
    }

    /** For the agent-step handler: never blocks, and completes off the database driver's event loop. */
    @Override
    public CompletionStage<Optional<AgentProfile>> find(String tenantId, String agentId) {
        String key = tenantId + '\0' + agentId;
        Cached c = cache.get(key);
        if (c != null && c.until() > System.currentTimeMillis()) {
            return CompletableFuture.completedFuture(c.agent());
        }
        return store.find(tenantId, agentId)
                .invoke(found -> cache.put(key, new Cached(found, System.currentTimeMillis() + config.tenantCacheMs())))
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .subscribeAsCompletionStage();
    }

    public Uni<AgentProfile> get(String tenantId, String agentId) {
        check(tenantId, agentId);
        return store.find(tenantId, agentId).map(found -> found.orElseThrow(() -> notFound(tenantId, agentId)));
    }

    public Uni<List<AgentProfile>> list(String tenantId, int limit) {
        checkTenant(tenantId);
        return store.list(tenantId, limit);
    }

    public Uni<AgentProfile> put(String tenantId, AgentProfile agent) {
        check(tenantId, agent.agentId());
        validate(agent);
        AgentProfile stored = new AgentProfile(agent.agentId(),
                agent.provider() == null ? null : agent.provider().toLowerCase(java.util.Locale.ROOT), blankToNull(agent.model()),
                blankToNull(agent.systemPrompt()), agent.temperature(), agent.maxTokens(), blankToNull(agent.credentialRef()),
                blankToNull(agent.baseUrl()));
        return store.put(tenantId, stored).invoke(() -> forget(tenantId)).replaceWith(stored);
    }

    public Uni<Void> delete(String tenantId, String agentId) {
        check(tenantId, agentId);
        return store.delete(tenantId, agentId).invoke(() -> forget(tenantId)).map(deleted -> {
            if (!deleted) {
                throw notFound(tenantId, agentId);
            }
            return null;
        });
    }

    private void forget(String tenantId) {
        cache.keySet().removeIf(k -> k.startsWith(tenantId + '\0'));
    }

    private static void validate(AgentProfile a) {
        if (a.provider() != null && !PROVIDERS.contains(a.provider().toLowerCase(java.util.Locale.ROOT))) {
            throw ApiException.validation("provider must be openai or anthropic.", Map.of("field", "provider"));
        }
        if (a.temperature() != null && (a.temperature() < 0 || a.temperature() > 2)) {
            throw ApiException.validation("temperature must be between 0 and 2.", Map.of("field", "temperature"));
        }
        if (a.maxTokens() != null && (a.maxTokens() < 1 || a.maxTokens() > 1_000_000)) {
            throw ApiException.validation("maxTokens must be between 1 and 1000000.", Map.of("field", "maxTokens"));
        }
        if (a.systemPrompt() != null && a.systemPrompt().length() > MAX_PROMPT_CHARS) {
            throw ApiException.validation("systemPrompt may have at most " + MAX_PROMPT_CHARS + " characters.",
                    Map.of("field", "systemPrompt"));
        }
        if (a.model() != null && a.model().length() > 200) {
            throw ApiException.validation("model may have at most 200 characters.", Map.of("field", "model"));
        }
        if (a.credentialRef() != null && !a.credentialRef().isBlank() && !SECRET_NAME.matcher(a.credentialRef()).matches()) {
            throw ApiException.validation("credentialRef must be the name of a tenant secret.", Map.of("field", "credentialRef"));
        }
        if (a.baseUrl() != null && !a.baseUrl().isBlank()) {
            URI uri;
            try {
                uri = URI.create(a.baseUrl());
            } catch (IllegalArgumentException e) {
                uri = null;
            }
            if (uri == null || uri.getHost() == null || !Set.of("http", "https").contains(String.valueOf(uri.getScheme()))
                    || a.baseUrl().length() > 2048) {
                throw ApiException.validation("baseUrl must be an absolute http or https URL.", Map.of("field", "baseUrl"));
            }
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static ApiException notFound(String tenantId, String agentId) {
        return new ApiException(ErrorCode.NOT_FOUND, "The tenant has no agent named '" + agentId + "'.",
                Map.of("tenantId", tenantId, "agentId", agentId));
    }

    private static void check(String tenantId, String agentId) {
        checkTenant(tenantId);
        if (agentId == null || !AGENT_ID.matcher(agentId).matches()) {
            throw ApiException.validation("An agent id is 1-128 letters, digits, '.', '_', ':' or '-'.", Map.of("field", "agentId"));
        }
    }

    private static void checkTenant(String tenantId) {
        if (tenantId == null || !TENANT.matcher(tenantId).matches()) {
            throw ApiException.validation("The tenant id must be 1-128 letters, digits, '.', '_' or '-'.", Map.of("field", "tenant"));
        }
    }
}
