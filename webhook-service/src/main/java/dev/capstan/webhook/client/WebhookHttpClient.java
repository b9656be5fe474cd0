package dev.capstan.webhook.client;

import dev.capstan.webhook.config.WebhookConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * POSTs a signed delivery to a tenant's endpoint with the Vert.x HTTP client (non-blocking). The address is
 * re-resolved and checked on a worker thread, the connection goes to the checked address, redirects are not
 * followed (a 3xx is a failure) and the whole attempt is bounded by the delivery timeout. Never throws: every
 * outcome is a {@link Result}.
 */
@ApplicationScoped
public class WebhookHttpClient {

    /** {@code statusCode} when a response arrived, else {@code error} says why not. */
    public record Result(Integer statusCode, String error) {
        public boolean succeeded() {
            return statusCode != null && statusCode >= 200 && statusCode < 300;
        }
    }

    private final Vertx vertx;
    private final HttpClient client;
    private final boolean privateAllowed;
    private final long timeoutMs;

    public WebhookHttpClient(Vertx vertx, WebhookConfig config) {
        this.vertx = vertx;
        this.privateAllowed = config.allowPrivateTargets();
        this.timeoutMs = config.delivery().timeout().toMillis();
        HttpClientOptions options = new HttpClientOptions()
                .setConnectTimeout((int) timeoutMs)
                .setVerifyHost(true)
                .setForceSni(true)
                .setKeepAlive(true)
                .setKeepAliveTimeout(30)
                .setName("webhook-delivery");
        this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(32));
    }

    @PreDestroy
    void close() {
        client.close();
    }

    public Uni<Result> post(String url, Map<String, String> headers, byte[] body) {
        Promise<Result> outcome = Promise.promise();
        AtomicReference<HttpClientRequest> request = new AtomicReference<>();
        long timer = vertx.setTimer(timeoutMs, id -> {
            if (outcome.tryComplete(new Result(null, "timed out after " + timeoutMs + " ms"))) {
                HttpClientRequest r = request.get();
                if (r != null) {
                    r.reset();
                }
            }
        });
        vertx.executeBlocking(() -> DeliveryTarget.of(url, privateAllowed, InetAddress::getAllByName), false)
                .compose(target -> client.request(options(target, headers)))
                .compose(r -> {
                    request.set(r);
                    if (outcome.future().isComplete()) {
                        r.reset();
                        return Future.failedFuture("timed out");
                    }
                    return r.send(Buffer.buffer(body));
                })
                .map(response -> {
                    // The status is the answer; the body is drained and dropped so the connection can be reused.
                    response.handler(ignored -> { });
                    response.exceptionHandler(ignored -> { });
                    return response.statusCode();
                })
                .onComplete(done -> {
                    vertx.cancelTimer(timer);
                    outcome.tryComplete(done.succeeded() ? new Result(done.result(), null) : new Result(null, describe(done.cause())));
                });
        return Uni.createFrom().completionStage(outcome.future().toCompletionStage());
    }

    private RequestOptions options(DeliveryTarget target, Map<String, String> headers) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(target.host())
                .setPort(target.port())
                .setURI(target.path())
                .setSsl(target.https())
                .setServer(SocketAddress.inetSocketAddress(target.port(), target.address().getHostAddress()))
                .setFollowRedirects(false)
                .setIdleTimeout(timeoutMs);
        headers.forEach(options::putHeader);
        return options;
    }

    private static String describe(Throwable error) {
        if (error instanceof DeliveryTarget.Refused) {
            return "target refused: " + error.getMessage();
        }
        String message = error.getMessage() == null ? error.getClass().getSimpleName()
                : error.getClass().getSimpleName() + ": " + error.getMessage();
        return message.length() > 300 ? message.substring(0, 300) : message;
    }
}
