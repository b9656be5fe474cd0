package dev.capstan.devstack.testing;

import dev.capstan.devstack.KafkaBroker;
import dev.capstan.devstack.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One PostgreSQL server and one Kafka broker per test JVM, started on first use and stopped when the
 * JVM exits. Starting them once keeps a module's test run fast even when Quarkus restarts the
 * application for each test profile; isolation comes from a fresh database (and topic names) per start.
 */
public final class SharedInfrastructure {

    private static PostgresServer postgres;
    private static KafkaBroker kafka;
    private static Path kafkaLog;

    private SharedInfrastructure() {
    }

    public static synchronized PostgresServer postgres() {
        if (postgres == null) {
            try {
                postgres = PostgresServer.startEphemeral();
            } catch (IOException e) {
                throw new UncheckedIOException("Embedded PostgreSQL did not start", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(SharedInfrastructure::stopPostgres, "stop-embedded-postgres"));
        }
        return postgres;
    }

    public static synchronized KafkaBroker kafka() {
        if (kafka == null) {
            try {
                kafkaLog = Files.createTempDirectory("capstan-kafka-test");
                kafka = KafkaBroker.start(0, 0, kafkaLog);
            } catch (Exception e) {
                throw new IllegalStateException("Embedded Kafka broker did not start", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(SharedInfrastructure::stopKafka, "stop-embedded-kafka"));
        }
        return kafka;
    }

    private static synchronized void stopPostgres() {
        try {
            postgres.close();
        } catch (IOException e) {
            System.err.println("Embedded PostgreSQL did not stop cleanly: " + e.getMessage());
        }
    }

    private static synchronized void stopKafka() {
        kafka.close();
        try (Stream<Path> files = Files.walk(kafkaLog)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("Kafka test log folder was not removed: " + e.getMessage());
        }
    }
}
