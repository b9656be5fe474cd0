package dev.capstan.webhook.service;

import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.webhook.config.WebhookConfig;
import dev.capstan.webhook.repository.WebhookSubscriptionEntity;
import dev.capstan.webhook.repository.WebhookSubscriptionRepository;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Registers and removes tenants' webhook subscriptions. */
@ApplicationScoped
public class WebhookService {

    private final WebhookSubscriptionRepository subscriptions;
    private final ActiveSubscriptions active;
    private final WebhookTargetPolicy targets;
    private final SecureRandom random = new SecureRandom();

    public WebhookService(WebhookSubscriptionRepository subscriptions, ActiveSubscriptions active, WebhookConfig config) {
        this.subscriptions = subscriptions;
        this.active = active;
        this.targets = new WebhookTargetPolicy(config.allowPrivateTargets());
    }

    public record NewSubscription(String url, List<String> events, List<String> tags) {
    }

    /** The only moment the secret is disclosed; {@code signatureAlgorithm} is the scheme deliveries are signed with. */
    public record CreatedSubscription(String webhookId, String secret, String secretFingerprint, String signatureAlgorithm) {
    }

    @WithTransaction
    public Uni<CreatedSubscription> register(String tenantId, NewSubscription request) {
        validate(request);
        WebhookSubscriptionEntity entity = new WebhookSubscriptionEntity();
        entity.id = "wh_" + UUID.randomUUID().toString().replace("-", "");
        entity.tenantId = tenantId;
        entity.url = request.url();
        entity.eventTypes = request.events().toArray(String[]::new);
        entity.tags = request.tags() == null ? new String[0] : request.tags().toArray(String[]::new);
        entity.secret = newSecret();
        return subscriptions.persist(entity)
                .invoke(saved -> active.invalidate(tenantId))
                .map(saved -> new CreatedSubscription(saved.id, saved.secret, fingerprint(saved.secret), WebhookSignature.ALGORITHM));
    }

    @WithTransaction
    public Uni<Void> delete(String tenantId, String webhookId) {
        return subscriptions.deleteOwned(tenantId, webhookId).map(deleted -> {
            active.invalidate(tenantId);
            if (!deleted) {
                throw new ApiException(ErrorCode.SUBSCRIPTION_NOT_FOUND, "Webhook " + webhookId + " not found",
                        Map.of("webhookId", webhookId));
            }
            return null;
        });
    }

    private void validate(NewSubscription request) {
        if (request == null) {
            throw ApiException.validation("A JSON body with url and events is required.", Map.of());
        }
        targets.malformed(request.url()).ifPresent(problem -> {
            throw ApiException.validation(problem, Map.of("field", "url"));
        });
        targets.rejection(request.url()).ifPresent(reason -> {
            throw new ApiException(ErrorCode.WEBHOOK_URL_REJECTED, "The webhook URL is not allowed: " + reason + ".",
                    Map.of("field", "url"));
        });
        if (request.events() == null || request.events().isEmpty()
                || request.events().stream().anyMatch(type -> type == null || type.isBlank())) {
            throw ApiException.validation("events must list at least one event type.", Map.of("field", "events"));
        }
    }

    private String newSecret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return "whsec_" + HexFormat.of().formatHex(bytes);
    }

    /** First 8 hex characters of the secret's SHA-256, so clients can tell secrets apart without seeing them. */
    static String fingerprint(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
