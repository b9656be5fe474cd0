package dev.capstan.run.repository;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One registered version of a tenant's workflow definition. */
@Entity
@Table(name = "workflow_definitions")
public class WorkflowDefinitionEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "tenant_id", nullable = false, updatable = false)
    public String tenantId;

    @Column(name = "workflow_id", nullable = false, updatable = false)
    public String workflowId;

    @Column(nullable = false, updatable = false)
    public int version;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false, updatable = false)
    public String definition;

    /** {@code OPENWOP} or {@code OSOP}: which loader reads {@link #source}. */
    @Column(nullable = false, updatable = false)
    public String format;

    /** The text as registered (JSON or YAML). */
    @Column(updatable = false)
    public String source;

    @Column(name = "created_at", nullable = false, updatable = false, insertable = false)
    public OffsetDateTime createdAt;

    @Column(name = "deleted_at")
    public OffsetDateTime deletedAt;
}
