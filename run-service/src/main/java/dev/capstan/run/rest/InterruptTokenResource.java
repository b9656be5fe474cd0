package dev.capstan.run.rest;

import dev.capstan.run.rest.RunApi.ResolveInterruptRequest;
import dev.capstan.run.service.InterruptTokenService;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/**
 * OpenWOP's signed-token interrupt surface. The token is the credential: this route alone under {@code /v1/} is
 * exempt from the gateway identity ({@code capstan.identity.public-paths}).
 */
@Path("/v1/interrupts/{token}")
@Produces(MediaType.APPLICATION_JSON)
public class InterruptTokenResource {

    private final InterruptTokenService tokens;

    public InterruptTokenResource(InterruptTokenService tokens) {
        this.tokens = tokens;
    }

    /** The interrupt's InterruptPayload, while it is open. */
    @GET
    public Uni<Map<String, Object>> inspect(@PathParam("token") String token) {
        return tokens.inspect(token);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<InterruptTokenService.TokenResolution> resolve(@PathParam("token") String token, ResolveInterruptRequest request) {
        return tokens.resolve(token, request == null ? null : request.resumeValue());
    }
}
