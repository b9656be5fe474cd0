package dev.capstan.executor.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of one executor instance. */
@ConfigMapping(prefix = "capstan.executor")
public interface ExecutorConfig {

    /** How many nodes this instance runs at once; scale beyond it by adding instances. */
    @WithDefault("64")
    int maxInFlight();
}
