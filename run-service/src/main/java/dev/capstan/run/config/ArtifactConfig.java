package dev.capstan.run.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits on the artifacts runs produce ({@code GET /v1/runs/{runId}/artifacts/{artifactId}}). */
@ConfigMapping(prefix = "capstan.run.artifacts")
public interface ArtifactConfig {

    /**
     * The largest artifact content, in bytes of its JSON. A node result declaring a larger one fails the node
     * ({@code artifact_too_large}); a workflow whose approval shows a larger one is refused at registration.
     */
    @WithDefault("262144")
    int maxContentBytes();

    /** How many artifacts one node result may declare. */
    @WithDefault("16")
    int maxPerResult();
}
