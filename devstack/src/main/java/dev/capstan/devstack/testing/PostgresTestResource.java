package dev.capstan.devstack.testing;

import dev.capstan.devstack.PostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Gives a Quarkus test a fresh, empty database on the shared embedded PostgreSQL server and points the
 * application's JDBC (Flyway) and reactive datasources at it.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    @Override
    public Map<String, String> start() {
        PostgresServer server = SharedInfrastructure.postgres();
        String database = "test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
        try {
            server.ensureDatabase(database);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create test database " + database, e);
        }
        return server.quarkusDatasourceConfig(database);
    }

    @Override
    public void stop() {
        // The server outlives the application: other test profiles of this JVM reuse it.
    }
}
