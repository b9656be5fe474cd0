package dev.capstan.run.service;

import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.run.repository.DefinitionStore;
import dev.capstan.run.repository.DefinitionStore.StoredDefinition;
import dev.capstan.workflow.error.LoadResult;
import dev.capstan.workflow.graph.NodeTypeRegistry;
import dev.capstan.workflow.load.WorkflowLoaders;
import dev.capstan.workflow.model.SourceFormat;
import dev.capstan.workflow.model.WorkflowDefinition;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Parsed workflow definitions by (tenant, workflow, version). Versions are immutable, so an entry never
 * goes stale; the cache only bounds its size.
 */
@ApplicationScoped
public class DefinitionCache {

    private static final int MAX_ENTRIES = 10_000;

    /** A definition the engine can run, with the stored version it came from. */
    public record LoadedDefinition(int version, WorkflowDefinition definition) {
    }

    private final DefinitionStore store;
    private final WorkflowLoaders loaders = new WorkflowLoaders(NodeTypeRegistry.acceptAll());
    private final Map<String, LoadedDefinition> cache = new ConcurrentHashMap<>();

    public DefinitionCache(DefinitionStore store) {
        this.store = store;
    }

    /** The latest version; 400 {@code validation_error} when the tenant has no such workflow (OpenWOP §1). */
    public Uni<LoadedDefinition> latest(String tenantId, String workflowId) {
        return store.latest(tenantId, workflowId).map(stored -> {
            if (stored == null) {
                throw ApiException.validation("Unknown workflowId " + workflowId + ".", Map.of("workflowId", workflowId));
            }
            return parsed(tenantId, stored);
        });
    }

    public Uni<LoadedDefinition> version(String tenantId, String workflowId, int version) {
        LoadedDefinition hit = cache.get(key(tenantId, workflowId, version));
        if (hit != null) {
            return Uni.createFrom().item(hit);
        }
        return store.version(tenantId, workflowId, version).map(stored -> {
            if (stored == null) {
                throw new IllegalStateException("Definition " + workflowId + " v" + version + " of a run is missing");
            }
            return parsed(tenantId, stored);
        });
    }

    /** Loads a definition about to be registered: the model, or every problem with its path and position. */
    public LoadResult<WorkflowDefinition> load(String text, SourceFormat format) {
        return loaders.load(text, format);
    }

    private LoadedDefinition parsed(String tenantId, StoredDefinition stored) {
        String key = key(tenantId, stored.workflowId(), stored.version());
        LoadedDefinition hit = cache.get(key);
        if (hit != null) {
            return hit;
        }
        LoadResult<WorkflowDefinition> result = loaders.load(stored.text(), SourceFormat.valueOf(stored.format()));
        if (!(result instanceof LoadResult.Loaded<WorkflowDefinition> loaded)) {
            throw new ApiException(ErrorCode.VALIDATION_ERROR, "The stored workflow " + stored.workflowId() + " no longer loads.",
                    Map.of("problems", result.errors().stream().map(p -> p.describe()).toList()));
        }
        if (cache.size() >= MAX_ENTRIES) {
            cache.clear();
        }
        LoadedDefinition definition = new LoadedDefinition(stored.version(), loaded.value());
        cache.put(key, definition);
        return definition;
    }

    private static String key(String tenantId, String workflowId, int version) {
        return tenantId + '\u0000' + workflowId + '\u0000' + version;
    }
}
