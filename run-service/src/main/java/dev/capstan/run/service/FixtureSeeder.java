package dev.capstan.run.service;

import dev.capstan.common.error.ApiException;
import dev.capstan.common.openwop.ConformanceFixtures;
import dev.capstan.run.config.RunServiceConfig;
import dev.capstan.run.repository.DefinitionStore;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/** Registers the OpenWOP conformance fixtures into the configured tenant, once, before traffic arrives. */
@ApplicationScoped
public class FixtureSeeder {

    private static final Logger LOG = Logger.getLogger(FixtureSeeder.class);

    private final RunServiceConfig config;
    private final DefinitionStore definitions;
    private final WorkflowService workflows;
    private final JsonCodec json;

    public FixtureSeeder(RunServiceConfig config, DefinitionStore definitions, WorkflowService workflows, JsonCodec json) {
        this.config = config;
        this.definitions = definitions;
        this.workflows = workflows;
        this.json = json;
    }

    void seed(@Observes StartupEvent start) throws Throwable {
        if (config.seedFixturesTenant().isEmpty() || config.seedFixturesTenant().get().isBlank()) {
            return;
        }
        String tenant = config.seedFixturesTenant().get();
        int seeded = 0;
        for (String id : ConformanceFixtures.ids()) {
            boolean present = VertxContextSupport.subscribeAndAwait(() -> definitions.latest(tenant, id).map(found -> found != null));
            if (present) {
                continue;
            }
            try {
                var definition = json.readTree(ConformanceFixtures.definition(id));
                VertxContextSupport.subscribeAndAwait(() -> workflows.register(tenant, definition));
                seeded++;
            } catch (ApiException e) {
                LOG.warnf("Conformance fixture %s was not seeded: %s %s", id, e.getMessage(), e.details());
            }
        }
        LOG.infof("Seeded %d conformance fixtures into tenant %s", seeded, tenant);
    }
}
