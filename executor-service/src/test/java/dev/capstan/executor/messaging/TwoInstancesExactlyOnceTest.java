package dev.capstan.executor.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.common.messaging.NodeDispatchMessage;
import dev.capstan.common.messaging.NodeResultMessage;
import dev.capstan.devstack.testing.Await;
import dev.capstan.devstack.testing.KafkaTestResource;
import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.executor.KafkaHarness;
import dev.capstan.executor.LoopbackServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Two executor instances in one consumer group (the application's own and a second one built the same way,
 * with its own owner id and Kafka clients) share 1,000 side-effecting HTTP dispatches; the second is stopped
 * while the load runs.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class TwoInstancesExactlyOnceTest {

    private static final int DISPATCHES = 1000;

    @Inject
    ExecutorRuntime runtime;

    @Inject
    Pool pool;

    @Test
    void eachSideEffectingCallReachesTheTargetExactlyOnceEvenWhenAnInstanceStopsMidLoad() {
        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        AtomicInteger total = new AtomicInteger();
        try (LoopbackServer target = new LoopbackServer().route("/effect", ex -> {
            seen.computeIfAbsent(ex.getRequestHeaders().getFirst("Idempotency-Key"), k -> new AtomicInteger()).incrementAndGet();
            total.incrementAndGet();
            LoopbackServer.respond(ex, 200, "application/json", "{\"ok\":true}");
        })) {
            ExecutorRuntime.Instance second = runtime.newInstance("second-" + UUID.randomUUID().toString().substring(0, 6), "extra");
            second.start();
            Await.until(() -> runtime.assignedPartitions() > 0 && second.assignedPartitions() > 0, b -> b,
                    "both instances to hold partitions");

            String batch = UUID.randomUUID().toString().substring(0, 8);
            List<NodeDispatchMessage> load = new ArrayList<>();
            for (int i = 0; i < DISPATCHES; i++) {
                String runId = "load-" + batch + "-" + i;
                load.add(new NodeDispatchMessage(1, "t-loopback", runId, "call", "core.http.request", 1,
                        runId + ":call:1", Map.of("i", i),
                        Map.of("method", "POST", "url", target.url("/effect"), "body", Map.of("i", "${inputs.i}")),
                        null, Map.of(), System.currentTimeMillis()));
            }
            KafkaHarness kafka = KafkaHarness.get();
            kafka.sendAll(load);

            Await.until(total::get, n -> n >= DISPATCHES / 4, "a quarter of the load to reach the target");
            second.stop();

            Set<String> ids = load.stream().map(NodeDispatchMessage::invocationId).collect(Collectors.toSet());
            Function<List<NodeResultMessage>, Set<String>> finished = all -> all.stream()
                    .filter(m -> ids.contains(m.invocationId()) && m.outcome().equals("completed"))
                    .map(NodeResultMessage::invocationId).collect(Collectors.toSet());
            Await.until(kafka::allResults, all -> finished.apply(all).size() == DISPATCHES, "all 1,000 results");

            assertThat(seen.keySet()).isEqualTo(ids);
            assertThat(seen.values()).allMatch(n -> n.get() == 1);
            assertThat(total.get()).isEqualTo(DISPATCHES);

            // Both instances did part of the work, each invocation executed once.
            Set<String> owners = new HashSet<>();
            int executions = 0;
            for (Row r : pool.preparedQuery("SELECT owner, executions FROM invocation_log WHERE run_id LIKE $1")
                    .execute(Tuple.of("load-" + batch + "-%")).await().atMost(Duration.ofSeconds(30))) {
                owners.add(r.getString("owner"));
                executions += r.getInteger("executions");
            }
            assertThat(owners).hasSize(2).contains(second.owner());
            assertThat(executions).isEqualTo(DISPATCHES);
        }
    }
}
