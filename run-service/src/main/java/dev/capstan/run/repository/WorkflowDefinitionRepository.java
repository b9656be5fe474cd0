package dev.capstan.run.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Queries on workflow definitions; every one is scoped to a tenant. */
@ApplicationScoped
public class WorkflowDefinitionRepository implements PanacheRepository<WorkflowDefinitionEntity> {

    public Uni<WorkflowDefinitionEntity> findLatest(String tenantId, String workflowId) {
        return find("tenantId = ?1 and workflowId = ?2 order by version desc", tenantId, workflowId).firstResult();
    }

    public Uni<Integer> latestVersion(String tenantId, String workflowId) {
        return find("select max(version) from WorkflowDefinitionEntity where tenantId = ?1 and workflowId = ?2", tenantId, workflowId)
                .project(Integer.class)
                .firstResult()
                .map(version -> version == null ? 0 : version);
    }
}
