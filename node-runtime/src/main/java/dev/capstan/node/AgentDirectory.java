package dev.capstan.node;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where the agent-step handler finds a tenant's agent definitions (the executor's {@code agent_definitions} table).
 * Looks up without blocking; {@link #DEFAULT_AGENT} is the id of the tenant's own defaults for unknown agents.
 */
@FunctionalInterface
public interface AgentDirectory {

    /** The agent id under which a tenant stores the model settings every unknown agent id uses. */
    String DEFAULT_AGENT = "default";

    /** No stored agents: every agent step runs with the run's model options and the platform defaults. */
    AgentDirectory NONE = (tenantId, agentId) -> CompletableFuture.completedFuture(Optional.empty());

    CompletionStage<Optional<AgentProfile>> find(String tenantId, String agentId);
}
