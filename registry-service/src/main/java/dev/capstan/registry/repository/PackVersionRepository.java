package dev.capstan.registry.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Queries on published pack versions. */
@ApplicationScoped
public class PackVersionRepository implements PanacheRepositoryBase<PackVersionEntity, PackVersionEntity.Key> {

    public Uni<List<PackVersionEntity>> versionsOf(String name) {
        return list("name = ?1 order by publishedAt", name);
    }
}
