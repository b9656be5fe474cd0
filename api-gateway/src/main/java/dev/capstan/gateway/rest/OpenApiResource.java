package dev.capstan.gateway.rest;

import dev.capstan.gateway.service.OpenApiService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /v1/openapi.json}: the public surface, generated from the route table (no credentials needed). */
@Path("/v1/openapi.json")
public class OpenApiResource {

    private final OpenApiService openApi;

    public OpenApiResource(OpenApiService openApi) {
        this.openApi = openApi;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public byte[] get() {
        return openApi.document();
    }
}
