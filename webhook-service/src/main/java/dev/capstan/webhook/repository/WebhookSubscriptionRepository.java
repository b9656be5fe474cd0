package dev.capstan.webhook.repository;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Queries on webhook subscriptions; every one is scoped to a tenant. */
@ApplicationScoped
public class WebhookSubscriptionRepository implements PanacheRepositoryBase<WebhookSubscriptionEntity, String> {

    public Uni<Boolean> deleteOwned(String tenantId, String id) {
        return delete("tenantId = ?1 and id = ?2", tenantId, id).map(deleted -> deleted > 0);
    }
}
