package dev.capstan.webhook.rest;

import dev.capstan.common.identity.CurrentCaller;
import dev.capstan.webhook.service.WebhookService;
import dev.capstan.webhook.service.WebhookService.CreatedSubscription;
import dev.capstan.webhook.service.WebhookService.NewSubscription;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.ResponseStatus;

/** OpenWOP webhook subscriptions of the calling tenant. */
@Path("/v1/webhooks")
@Produces(MediaType.APPLICATION_JSON)
public class WebhookResource {

    private static final String SCOPE = "webhooks:manage";

    private final WebhookService webhooks;
    private final CurrentCaller caller;

    public WebhookResource(WebhookService webhooks, CurrentCaller caller) {
        this.webhooks = webhooks;
        this.caller = caller;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @ResponseStatus(201)
    public Uni<CreatedSubscription> register(NewSubscription request) {
        return webhooks.register(caller.require(SCOPE).tenant(), request);
    }

    @DELETE
    @Path("/{webhookId}")
    @ResponseStatus(204)
    public Uni<Void> delete(@PathParam("webhookId") String webhookId) {
        return webhooks.delete(caller.require(SCOPE).tenant(), webhookId);
    }
}
