package dev.capstan.webhook.service;

import dev.capstan.webhook.config.WebhookConfig;
import dev.capstan.webhook.repository.SubscriptionStateRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A tenant's active subscriptions, kept for a short time ({@code capstan.webhook.delivery.subscription-cache-ttl}):
 * every committed run event of every tenant reaches the dispatcher, and most tenants have no webhook, so the common
 * case must not be a database query per record. Registering or deleting a webhook on this replica refreshes its
 * tenant at once; circuit state and failed status are still read per delivery.
 */
@ApplicationScoped
public class ActiveSubscriptions {

    private record Entry(List<Subscription> subscriptions, long loadedAtNanos) {
    }

    private final SubscriptionStateRepository repository;
    private final long ttlNanos;
    private final Map<String, Entry> byTenant = new ConcurrentHashMap<>();

    public ActiveSubscriptions(SubscriptionStateRepository repository, WebhookConfig config) {
        this.repository = repository;
        this.ttlNanos = config.delivery().subscriptionCacheTtl().toNanos();
    }

    public Uni<List<Subscription>> of(String tenantId) {
        Entry entry = byTenant.get(tenantId);
        long now = System.nanoTime();
        if (entry != null && now - entry.loadedAtNanos() < ttlNanos) {
            return Uni.createFrom().item(entry.subscriptions());
        }
        return repository.active(tenantId).invoke(loaded -> byTenant.put(tenantId, new Entry(List.copyOf(loaded), now)));
    }

    /** The tenant's subscriptions changed here: read them again on the next record. */
    public void invalidate(String tenantId) {
        byTenant.remove(tenantId);
    }
}
