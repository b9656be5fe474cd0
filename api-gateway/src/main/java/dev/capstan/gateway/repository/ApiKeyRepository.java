package dev.capstan.gateway.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class ApiKeyRepository implements PanacheRepositoryBase<ApiKeyEntity, String> {

    public Uni<ApiKeyEntity> findByHash(String keyHash) {
        return find("keyHash", keyHash).firstResult();
    }

    /** A tenant's keys, newest id order is not meaningful: sorted by id, at most {@code limit}. */
    public Uni<java.util.List<ApiKeyEntity>> listForTenant(String tenantId, int limit) {
        return find("tenantId = ?1 order by id", tenantId).range(0, limit - 1).list();
    }
}
