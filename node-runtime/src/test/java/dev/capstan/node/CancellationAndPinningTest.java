package dev.capstan.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.node.handler.HttpNodeHandler;
import dev.capstan.node.http.HostResolver;
import dev.capstan.node.http.OutboundHttp;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cancelling a running attempt (process trees, requests), stored tenant policy, and DNS pinning of HTTP nodes. */
class CancellationAndPinningTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private NodeRuntimeSettings settings(List<String> execTenants, List<String> privateTenants) {
        NodeRuntimeSettings d = NodeRuntimeSettings.defaults();
        return d.withShell(new NodeRuntimeSettings.Shell(Optional.of(execTenants), dir.resolve("scratch").toString(),
                        d.shell().envAllowList(), 60_000, 65_536))
                .withHttp(new NodeRuntimeSettings.Http(false, Optional.of(privateTenants), 30_000, 2, 10, 1_000, 1_048_576, 4096));
    }

    private static NodeInvocation invocation(String tenant, String typeId, Map<String, Object> config, Long timeoutMs) {
        return new NodeInvocation(tenant, "r1", "n1", typeId, 1, null, Map.of(), config, timeoutMs, Map.of("allowExec", true));
    }

    private static long awaitPid(Path file) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(file) && !Files.readString(file).isBlank()) {
                return Long.parseLong(Files.readString(file).trim());
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the command did not start");
    }

    private static void awaitDead(long pid) throws Exception {
        long deadline = System.currentTimeMillis() + 5_000;
        while (System.currentTimeMillis() < deadline && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            Thread.sleep(20);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("process %d still alive", pid).isFalse();
    }

    private Map<String, Object> sleeperWithChild(Path pidFile) {
        // The shell starts a grandchild and waits for it: killing only the shell would leave the sleep running.
        return Map.of("argv", List.of("sh", "-c", "sleep 300 & echo $! > " + pidFile + "; wait"));
    }

    @Test
    void cancellingAShellAttemptKillsItsProcessTreeAndReportsNodeCancelled() throws Exception {
        NodeRunner runner = new NodeRunner(NodeHandlerRegistry.standard(settings(List.of("t"), List.of()), JSON),
                t -> Map.of(), 60_000, Executors.newFixedThreadPool(2));
        Path pidFile = dir.resolve("child.pid");
        NodeRunner.Running running = runner.start(invocation("t", "core.shell", sleeperWithChild(pidFile), null), null);
        long child = awaitPid(pidFile);

        assertThat(running.cancel("run-cancelled")).isTrue();
        NodeOutcome o = running.attempt().get(5, TimeUnit.SECONDS).outcome();

        assertThat(o).isInstanceOf(NodeOutcome.Failed.class);
        NodeOutcome.NodeError e = ((NodeOutcome.Failed) o).error();
        assertThat(e.code()).isEqualTo("node_cancelled");
        assertThat(e.retryable()).isFalse();
        assertThat(e.message()).contains("run-cancelled");
        awaitDead(child);
        assertThat(running.cancel("again")).isFalse();
    }

    @Test
    void aNodeTimeoutAlsoKillsTheProcessTree() throws Exception {
        NodeRunner runner = new NodeRunner(NodeHandlerRegistry.standard(settings(List.of("t"), List.of()), JSON),
                t -> Map.of(), 60_000, Executors.newFixedThreadPool(2));
        Path pidFile = dir.resolve("child2.pid");
        CompletableFuture<NodeRunner.Attempt> attempt = runner.run(invocation("t", "core.shell", sleeperWithChild(pidFile), 1_500L), null);
        long child = awaitPid(pidFile);
        assertThat(((NodeOutcome.Failed) attempt.get(10, TimeUnit.SECONDS).outcome()).error().code()).isEqualTo("node_timeout");
        awaitDead(child);
    }

    @Test
    void cancellingAnHttpAttemptAbortsTheRequestAndStartsNoRetry() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Target target = new Target().route("/slow", ex -> {
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Target.respond(ex, 503, "text/plain", "late");
        })) {
            NodeRunner runner = new NodeRunner(NodeHandlerRegistry.standard(settings(List.of(), List.of("t")), JSON),
                    t -> Map.of(), 60_000, Executors.newFixedThreadPool(2));
            CompletableFuture<NodeRunner.Attempt> attempt = runner.run(invocation("t", "core.http.request",
                    Map.of("method", "POST", "url", target.url("/slow"), "body", Map.of("a", 1)), null), null);
            long deadline = System.currentTimeMillis() + 5_000;
            while (target.received.isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            assertThat(target.received).hasSize(1);
            long before = System.nanoTime();
            assertThat(attempt.cancel(true)).isTrue();
            try {
                attempt.join();
            } catch (CancellationException expected) {
                // the caller's own stage is cancelled; the handler's work stops behind it
            }
            release.countDown();
            Thread.sleep(300);
            // The 503 would have been retried twice had the attempt gone on.
            assertThat(target.received).hasSize(1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before)).isLessThan(2_000);
        }
    }

    @Test
    void aStoredTenantPolicyDecidesOverTheSettings() throws Exception {
        NodeHandlerRegistry handlers = NodeHandlerRegistry.standard(settings(List.of("listed"), List.of()), JSON);
        NodeRunner runner = NodeRunner.withTenants(handlers, tenant -> CompletableFuture.completedFuture(new TenantEnvironment(Map.of(),
                new TenantPolicy(Optional.of(tenant.equals("stored-allow")), Optional.empty()))), 10_000, Executors.newFixedThreadPool(2));
        Map<String, Object> echo = Map.of("argv", List.of("echo", "hi"));
        NodeOutcome allowed = runner.run(invocation("stored-allow", "core.shell", echo, null), null).get(10, TimeUnit.SECONDS).outcome();
        NodeOutcome denied = runner.run(invocation("listed", "core.shell", echo, null), null).get(10, TimeUnit.SECONDS).outcome();
        assertThat(((NodeOutcome.Completed) allowed).outputs()).containsEntry("stdout", "hi\n");
        assertThat(((NodeOutcome.Failed) denied).error().code()).isEqualTo("exec_forbidden");
    }

    @Test
    void aPlainHttpRequestGoesToTheAddressResolvedOnceWithTheOriginalHostHeader() throws Exception {
        try (Target target = new Target().route("/pinned", ex -> Target.respond(ex, 200, "text/plain", "ok"))) {
            AtomicInteger lookups = new AtomicInteger();
            // "pinned.test" exists only in this resolver: reaching the server proves the connection used its answer.
            HostResolver resolver = host -> {
                lookups.incrementAndGet();
                if (!host.equals("pinned.test")) {
                    throw new java.net.UnknownHostException(host);
                }
                return new InetAddress[] {InetAddress.getByAddress("pinned.test", new byte[] {127, 0, 0, 1})};
            };
            NodeRuntimeSettings s = settings(List.of(), List.of("t"));
            NodeRunner runner = new NodeRunner(new NodeHandlerRegistry(List.of(new HttpNodeHandler(new OutboundHttp(), s, JSON, resolver))),
                    t -> Map.of(), 10_000, Executors.newFixedThreadPool(2));
            NodeOutcome o = runner.run(invocation("t", "core.http.request",
                    Map.of("url", "http://pinned.test:" + target.port() + "/pinned?q=1"), null), null).get(10, TimeUnit.SECONDS).outcome();

            assertThat(o).isInstanceOf(NodeOutcome.Completed.class);
            assertThat(lookups.get()).isEqualTo(1);
            assertThat(target.received).hasSize(1);
            assertThat(target.received.get(0).header("host")).isEqualTo("pinned.test:" + target.port());
            assertThat(target.received.get(0).query()).isEqualTo("q=1");
        }
    }

    @Test
    void aHostWithAnyPrivateAddressIsRefusedBeforeAnyConnection() throws Exception {
        HostResolver resolver = host -> new InetAddress[] {
                InetAddress.getByAddress(host, new byte[] {93, (byte) 184, (byte) 216, 34}),
                InetAddress.getByAddress(host, new byte[] {(byte) 169, (byte) 254, (byte) 169, (byte) 254})};
        NodeRuntimeSettings s = settings(List.of(), List.of());
        NodeRunner runner = new NodeRunner(new NodeHandlerRegistry(List.of(new HttpNodeHandler(new OutboundHttp(), s, JSON, resolver))),
                t -> Map.of(), 10_000, Executors.newFixedThreadPool(2));
        NodeOutcome o = runner.run(invocation("t", "core.http.request", Map.of("url", "http://rebind.test/x"), null), null)
                .get(10, TimeUnit.SECONDS).outcome();
        NodeOutcome.NodeError e = ((NodeOutcome.Failed) o).error();
        assertThat(e.code()).isEqualTo("target_forbidden");
        assertThat(e.message()).contains("rebind.test");
    }
}
