package dev.capstan.executor.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Finds the handler for a type id; every {@link NodeHandler} bean registers the ids it serves. */
@ApplicationScoped
public class NodeHandlerRegistry {

    private final Map<String, NodeHandler> byType = new LinkedHashMap<>();

    public NodeHandlerRegistry(Instance<NodeHandler> handlers) {
        for (NodeHandler h : handlers) {
            for (String typeId : h.typeIds()) {
                NodeHandler previous = byType.putIfAbsent(typeId, h);
                if (previous != null) {
                    throw new IllegalStateException("Node type " + typeId + " is served by both "
                            + previous.getClass().getSimpleName() + " and " + h.getClass().getSimpleName());
                }
            }
        }
    }

    public Optional<NodeHandler> find(String typeId) {
        return Optional.ofNullable(byType.get(typeId));
    }

    public Set<String> typeIds() {
        return new TreeSet<>(byType.keySet());
    }
}
