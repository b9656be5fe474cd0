// Measures one produce->consume hop on the local platform's broker (./capstan up), 50 messages, loopback only.
// javac -cp "devstack/target/devstack-0.1.0-SNAPSHOT.jar:$(cat devstack/target/runtime-classpath.txt)" -d /tmp/kp bench/platform/KafkaPing.java
// java -cp "/tmp/kp:<same classpath>" KafkaPing all [fetch.max.wait.ms]
import java.time.Duration;
import java.util.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.serialization.*;
public class KafkaPing {
    public static void main(String[] a) throws Exception {
        String bs = "localhost:19092", topic = "capstan.ping." + System.nanoTime();
        Properties c = new Properties();
        c.put("bootstrap.servers", bs); c.put("group.id", "ping" + System.nanoTime()); c.put("auto.offset.reset", "earliest"); if (a.length > 1) c.put("fetch.max.wait.ms", a[1]);
        KafkaConsumer<String,String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer());
        KafkaProducer<String,String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bs, "linger.ms", "0", "acks", a.length > 0 ? a[0] : "all"), new StringSerializer(), new StringSerializer());
        producer.send(new ProducerRecord<>(topic, "k", "warm")).get();
        consumer.subscribe(List.of(topic));
        while (consumer.poll(Duration.ofMillis(200)).isEmpty()) { }
        List<Long> lat = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            long t0 = System.nanoTime();
            producer.send(new ProducerRecord<>(topic, "k", "m" + i));
            ConsumerRecords<String,String> r;
            do { r = consumer.poll(Duration.ofMillis(1000)); } while (r.isEmpty());
            lat.add((System.nanoTime() - t0) / 1000);
        }
        Collections.sort(lat);
        System.out.println("produce->consume latency us: p50=" + lat.get(25) + " p90=" + lat.get(45) + " max=" + lat.get(49));
        System.exit(0);
    }
}
