package dev.capstan.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedInfrastructureTest {

    @TempDir
    Path folder;

    @Test
    void persistentPostgresKeepsRowsAcrossRestarts() throws Exception {
        Path data = folder.resolve("pg");
        int port = KafkaBroker.freePort();
        try (PostgresServer server = PostgresServer.startPersistent(port, data)) {
            server.ensureDatabase("capstan_probe");
            server.ensureDatabase("capstan_probe"); // a second call is a no-op, not an error
            try (Connection c = DriverManager.getConnection(server.jdbcUrl("capstan_probe"), PostgresServer.USER, PostgresServer.PASSWORD);
                 Statement s = c.createStatement()) {
                s.execute("CREATE TABLE kept (value text)");
                s.execute("INSERT INTO kept VALUES ('survives')");
            }
        }
        try (PostgresServer server = PostgresServer.startPersistent(port, data);
             Connection c = DriverManager.getConnection(server.jdbcUrl("capstan_probe"), PostgresServer.USER, PostgresServer.PASSWORD);
             Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT value FROM kept")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("survives");
            assertThat(server.port()).isEqualTo(port);
        }
    }

    @Test
    void kafkaBrokerDeliversWhatWasProducedAndKeepsItAcrossRestarts() throws Exception {
        Path log = folder.resolve("kafka");
        int port = KafkaBroker.freePort();
        int controllerPort = KafkaBroker.freePort();
        try (KafkaBroker broker = KafkaBroker.start(port, controllerPort, log);
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                     ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("capstan.probe", "run-1", "hello")).get();
        }
        assertThat(Files.exists(log.resolve("meta.properties"))).isTrue();

        try (KafkaBroker broker = KafkaBroker.start(port, controllerPort, log)) {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "probe");
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("capstan.probe"));
                List<ConsumerRecord<String, String>> received = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (received.isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                }
                assertThat(received).extracting(ConsumerRecord::key, ConsumerRecord::value)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple("run-1", "hello"));
            }
        }
    }
}
