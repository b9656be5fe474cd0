package dev.capstan.executor.repository;

import dev.capstan.node.AgentProfile;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Queries on {@code agent_definitions}. */
@ApplicationScoped
public class AgentRepository {

    private static final String COLUMNS = "agent_id, provider, model, system_prompt, temperature, max_tokens, credential_ref, base_url";

    private final Pool pool;

    public AgentRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Optional<AgentProfile>> find(String tenantId, String agentId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM agent_definitions WHERE tenant_id = $1 AND agent_id = $2")
                .execute(Tuple.of(tenantId, agentId))
                .map(rows -> {
                    var it = rows.iterator();
                    return it.hasNext() ? Optional.of(profile(it.next())) : Optional.<AgentProfile>empty();
                });
    }

    /** Sorted by agent id, at most {@code limit}. */
    public Uni<List<AgentProfile>> list(String tenantId, int limit) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM agent_definitions WHERE tenant_id = $1 ORDER BY agent_id LIMIT $2")
                .execute(Tuple.of(tenantId, limit))
                .map(rows -> {
                    List<AgentProfile> out = new ArrayList<>();
                    rows.forEach(r -> out.add(profile(r)));
                    return out;
                });
    }

    public Uni<Void> put(String tenantId, AgentProfile a) {
        return pool.preparedQuery("""
                        INSERT INTO agent_definitions (tenant_id, agent_id, provider, model, system_prompt, temperature, max_tokens,
                                                       credential_ref, base_url)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                        ON CONFLICT (tenant_id, agent_id) DO UPDATE SET provider = EXCLUDED.provider, model = EXCLUDED.model,
                               system_prompt = EXCLUDED.system_prompt, temperature = EXCLUDED.temperature,
                               max_tokens = EXCLUDED.max_tokens, credential_ref = EXCLUDED.credential_ref,
                               base_url = EXCLUDED.base_url, updated_at = now()""")
                .execute(Tuple.from(new Object[] {tenantId, a.agentId(), a.provider(), a.model(), a.systemPrompt(),
                        a.temperature(), a.maxTokens(), a.credentialRef(), a.baseUrl()}))
                .replaceWithVoid();
    }

    /** True when a definition was deleted. */
    public Uni<Boolean> delete(String tenantId, String agentId) {
        return pool.preparedQuery("DELETE FROM agent_definitions WHERE tenant_id = $1 AND agent_id = $2")
                .execute(Tuple.of(tenantId, agentId))
                .map(rows -> rows.rowCount() == 1);
    }

    private static AgentProfile profile(Row r) {
        return new AgentProfile(r.getString("agent_id"), r.getString("provider"), r.getString("model"),
                r.getString("system_prompt"), r.getDouble("temperature"), r.getInteger("max_tokens"),
                r.getString("credential_ref"), r.getString("base_url"));
    }
}
