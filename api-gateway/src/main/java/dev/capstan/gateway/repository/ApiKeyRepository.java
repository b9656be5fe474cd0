package dev.capstan.gateway.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class ApiKeyRepository implements PanacheRepositoryBase<ApiKeyEntity, String> {

    public Uni<ApiKeyEntity> findByHash(String keyHash) {
        return find("keyHash", keyHash).firstResult();
    }
}
