// Measures a synchronous produce (send().get()) on the local platform's broker, 100 messages, loopback only.
// Build and run like KafkaPing.java: java -cp "/tmp/kp:<classpath>" SendPing 1|all
import java.util.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.serialization.*;
public class SendPing {
    public static void main(String[] a) throws Exception {
        KafkaProducer<String,String> p = new KafkaProducer<>(Map.of("bootstrap.servers", "localhost:19092", "linger.ms", "0", "acks", a[0]), new StringSerializer(), new StringSerializer());
        String topic = "capstan.sendping";
        for (int i = 0; i < 20; i++) p.send(new ProducerRecord<>(topic, "k", "w")).get();
        List<Long> lat = new ArrayList<>();
        for (int i = 0; i < 100; i++) { long t0 = System.nanoTime(); p.send(new ProducerRecord<>(topic, "k", "m")).get(); lat.add((System.nanoTime() - t0) / 1000); }
        Collections.sort(lat); System.out.println("acks=" + a[0] + " send->ack us: p50=" + lat.get(50) + " p90=" + lat.get(90));
        System.exit(0);
    }
}
