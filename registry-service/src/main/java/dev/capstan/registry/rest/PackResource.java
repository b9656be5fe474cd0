package dev.capstan.registry.rest;

import dev.capstan.common.identity.CurrentCaller;
import dev.capstan.registry.service.PackService;
import dev.capstan.registry.service.PackService.PackIndex;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The OpenWOP pack registry's read side. */
@Path("/v1/packs")
@Produces(MediaType.APPLICATION_JSON)
public class PackResource {

    private final PackService packs;
    private final CurrentCaller caller;

    public PackResource(PackService packs, CurrentCaller caller) {
        this.packs = packs;
        this.caller = caller;
    }

    @GET
    @Path("/{name}")
    public Uni<PackIndex> index(@PathParam("name") String name) {
        caller.get();
        return packs.index(name);
    }
}
