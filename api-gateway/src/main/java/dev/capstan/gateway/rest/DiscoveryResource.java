package dev.capstan.gateway.rest;

import dev.capstan.gateway.service.DiscoveryService;
import dev.capstan.gateway.service.DiscoveryService.Document;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code GET /.well-known/openwop}: what this platform supports, cacheable and revalidated by ETag. */
@Path("/.well-known/openwop")
public class DiscoveryResource {

    private final DiscoveryService discovery;

    public DiscoveryResource(DiscoveryService discovery) {
        this.discovery = discovery;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response get(@HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
        Document document = discovery.document();
        String cacheControl = "public, max-age=" + document.maxAgeSeconds();
        if (document.etag().equals(ifNoneMatch)) {
            return Response.notModified().header(HttpHeaders.ETAG, document.etag()).header(HttpHeaders.CACHE_CONTROL, cacheControl).build();
        }
        return Response.ok(document.json(), MediaType.APPLICATION_JSON_TYPE)
                .header(HttpHeaders.ETAG, document.etag())
                .header(HttpHeaders.CACHE_CONTROL, cacheControl)
                .build();
    }
}
