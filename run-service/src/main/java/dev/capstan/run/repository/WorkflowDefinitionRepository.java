package dev.capstan.run.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Queries on workflow definitions; every one is scoped to a tenant. */
@ApplicationScoped
public class WorkflowDefinitionRepository implements PanacheRepository<WorkflowDefinitionEntity> {

    public Uni<WorkflowDefinitionEntity> findLatest(String tenantId, String workflowId) {
        return find("tenantId = ?1 and workflowId = ?2 and deletedAt is null order by version desc", tenantId, workflowId).firstResult();
    }

    /** Latest live version of each workflow after {@code afterWorkflowId}, by workflow id. */
    public Uni<java.util.List<WorkflowDefinitionEntity>> page(String tenantId, String afterWorkflowId, int limit) {
        return find("from WorkflowDefinitionEntity w where w.tenantId = ?1 and w.workflowId > ?2 and w.deletedAt is null "
                + "and w.version = (select max(d.version) from WorkflowDefinitionEntity d where d.tenantId = ?1 "
                + "and d.workflowId = w.workflowId) order by w.workflowId", tenantId, afterWorkflowId).page(0, limit).list();
    }

    /** Hides every version from new runs; false when there was none. */
    public Uni<Boolean> markDeleted(String tenantId, String workflowId, java.time.OffsetDateTime at) {
        return update("deletedAt = ?3 where tenantId = ?1 and workflowId = ?2 and deletedAt is null", tenantId, workflowId, at)
                .map(updated -> updated > 0);
    }

    public Uni<Integer> latestVersion(String tenantId, String workflowId) {
        return find("select max(version) from WorkflowDefinitionEntity where tenantId = ?1 and workflowId = ?2", tenantId, workflowId)
                .project(Integer.class)
                .firstResult()
                .map(version -> version == null ? 0 : version);
    }
}
