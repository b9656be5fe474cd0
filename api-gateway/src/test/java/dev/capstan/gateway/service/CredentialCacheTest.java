package dev.capstan.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.gateway.config.GatewayConfig;
import dev.capstan.gateway.repository.CredentialStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Vertx;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CredentialCacheTest {

    /** A store whose lookups the test completes by hand, counting them. */
    static final class HeldStore extends CredentialStore {
        final AtomicInteger lookups = new AtomicInteger();
        final List<UniEmitter<? super Optional<StoredKey>>> pending = new CopyOnWriteArrayList<>();

        HeldStore() {
            super(null);
        }

        @Override
        public Uni<Optional<StoredKey>> findKeyByHash(String keyHash) {
            return Uni.createFrom().emitter(emitter -> {
                lookups.incrementAndGet();
                pending.add(emitter);
            });
        }
    }

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close();
    }

    private static GatewayConfig config() {
        GatewayConfig.Auth auth = new GatewayConfig.Auth() {
            @Override
            public Duration keyCacheTtl() {
                return Duration.ofSeconds(5);
            }

            @Override
            public int keyCacheMaxEntries() {
                return 100;
            }
        };
        return (GatewayConfig) Proxy.newProxyInstance(GatewayConfig.class.getClassLoader(), new Class<?>[] {GatewayConfig.class},
                (proxy, method, args) -> method.getName().equals("auth") ? auth : null);
    }

    @Test
    void concurrentMissesFromSeveralEventLoopsShareOneLookupAndEachContinuesOnItsOwnContext() throws Exception {
        HeldStore store = new HeldStore();
        CredentialCache cache = new CredentialCache(store, config(), new SimpleMeterRegistry());
        StoredKeyFixture key = new StoredKeyFixture();
        List<CompletableFuture<Boolean>> answers = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 4; i++) {
            CompletableFuture<Boolean> answer = new CompletableFuture<>();
            answers.add(answer);
            var context = vertx.getOrCreateContext();
            CompletableFuture<Void> subscribed = new CompletableFuture<>();
            context.runOnContext(v -> {
                cache.findKeyByHash("h").subscribe().with(
                        found -> answer.complete(found.isPresent() && Vertx.currentContext() == context),
                        answer::completeExceptionally);
                subscribed.complete(null);
            });
            subscribed.get(5, TimeUnit.SECONDS);
        }
        assertThat(store.lookups.get()).isEqualTo(1);
        store.pending.get(0).complete(Optional.of(key.stored()));
        for (CompletableFuture<Boolean> answer : answers) {
            assertThat(answer.get(5, TimeUnit.SECONDS)).as("found, on the caller's own context").isTrue();
        }
        // Now cached: no further lookup.
        assertThat(cache.findKeyByHash("h").await().atMost(Duration.ofSeconds(5))).isPresent();
        assertThat(store.lookups.get()).isEqualTo(1);
        // Evicted: the next request looks up again.
        cache.evictKey("h");
        cache.findKeyByHash("h").subscribe().with(found -> { });
        assertThat(store.lookups.get()).isEqualTo(2);
    }

    static final class StoredKeyFixture {
        CredentialStore.StoredKey stored() {
            return new CredentialStore.StoredKey("key_1", "t", "h", Set.of("runs:read"), false, null, null, null, null);
        }
    }
}
