package dev.capstan.run.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The one Kafka producer of a run-service replica, tuned for latency: records are sent as soon as they exist. */
@ApplicationScoped
public class KafkaClients {

    @Produces
    @Singleton
    KafkaProducer<String, String> producer(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, "0",
                ProducerConfig.CLIENT_ID_CONFIG, "run-service-outbox"), new StringSerializer(), new StringSerializer());
    }

    void close(@Disposes KafkaProducer<String, String> producer) {
        producer.close(Duration.ofSeconds(5));
    }
}
