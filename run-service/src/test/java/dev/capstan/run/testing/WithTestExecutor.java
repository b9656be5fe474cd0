package dev.capstan.run.testing;

import dev.capstan.devstack.testing.KafkaTestResource;
import dev.capstan.devstack.testing.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the run-service tests that need nodes executed: real PostgreSQL and Kafka, and a
 * {@link TestExecutor} on the real topics for the duration of each test.
 */
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
public abstract class WithTestExecutor {

    protected TestExecutor executor;

    @BeforeEach
    void startExecutor() {
        executor = new TestExecutor(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @AfterEach
    void stopExecutor() throws InterruptedException {
        executor.close();
    }
}
