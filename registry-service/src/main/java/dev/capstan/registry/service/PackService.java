package dev.capstan.registry.service;

import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.registry.repository.PackVersionRepository;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;

/** Reads the registry's packs. */
@ApplicationScoped
public class PackService {

    public record PackVersionSummary(String version, String integrity, boolean yanked) {
    }

    public record PackIndex(String name, List<PackVersionSummary> versions) {
    }

    private final PackVersionRepository versions;

    public PackService(PackVersionRepository versions) {
        this.versions = versions;
    }

    @WithSession
    public Uni<PackIndex> index(String name) {
        return versions.versionsOf(name).map(found -> {
            if (found.isEmpty()) {
                throw new ApiException(ErrorCode.NOT_FOUND, "Pack " + name + " not found", Map.of("name", name));
            }
            return new PackIndex(name, found.stream()
                    .map(v -> new PackVersionSummary(v.version, v.tarballSha256, v.yanked))
                    .toList());
        });
    }
}
