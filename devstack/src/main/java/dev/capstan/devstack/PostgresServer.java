package dev.capstan.devstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A real PostgreSQL server from the zonky binaries: a throw-away one for tests (random port, fresh
 * folder) or a persistent one for the local platform (fixed port, data kept between starts).
 */
public final class PostgresServer implements AutoCloseable {

    public static final String USER = "postgres";
    /** The embedded server trusts local connections; the password only satisfies clients that insist on one. */
    public static final String PASSWORD = "postgres";
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    private final EmbeddedPostgres postgres;

    private PostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** A disposable server for tests: random port, durability traded for speed. */
    public static PostgresServer startEphemeral() throws IOException {
        return new PostgresServer(EmbeddedPostgres.builder()
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("full_page_writes", "off")
                .setServerConfig("max_connections", "300")
                .start());
    }

    /** A server whose data survives restarts: initialised on first start, reused after. */
    public static PostgresServer startPersistent(int port, Path dataDirectory) throws IOException {
        Files.createDirectories(dataDirectory);
        return new PostgresServer(EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                // The embedded defaults are tuned for tests (no fsync, asynchronous commit); local data must survive a crash.
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_connections", "300")
                .start());
    }

    public int port() {
        return postgres.getPort();
    }

    /** Creates the database unless it exists; names are restricted so they can be used unquoted. */
    public void ensureDatabase(String name) throws SQLException {
        if (!DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Not a plain database name: " + name);
        }
        try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
            try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                exists.setString(1, name);
                try (ResultSet rows = exists.executeQuery()) {
                    if (rows.next()) {
                        return;
                    }
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("CREATE DATABASE " + name);
            }
        }
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://localhost:" + port() + "/" + database;
    }

    public String reactiveUrl(String database) {
        return "postgresql://localhost:" + port() + "/" + database;
    }

    /** The Quarkus datasource settings (JDBC for Flyway, reactive for the application) for one database. */
    public Map<String, String> quarkusDatasourceConfig(String database) {
        return Map.of(
                "quarkus.datasource.db-kind", "postgresql",
                "quarkus.datasource.username", USER,
                "quarkus.datasource.password", PASSWORD,
                "quarkus.datasource.jdbc.url", jdbcUrl(database),
                "quarkus.datasource.reactive.url", reactiveUrl(database));
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
