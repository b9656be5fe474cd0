package dev.capstan.gateway.repository;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A tenant of the platform. */
@Entity
@Table(name = "tenants")
public class TenantEntity {

    @Id
    public String id;

    @Column(nullable = false)
    public String name;

    /** This tenant's own rate limit (null: the configured default). */
    @Column(name = "rate_capacity")
    public Long rateCapacity;

    @Column(name = "rate_refill_per_second")
    public Double rateRefillPerSecond;
}
