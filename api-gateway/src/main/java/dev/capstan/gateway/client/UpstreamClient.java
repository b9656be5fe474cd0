package dev.capstan.gateway.client;

import dev.capstan.common.error.ErrorCode;
import dev.capstan.common.identity.IdentityToken;
import dev.capstan.gateway.config.GatewayConfig;
import dev.capstan.gateway.error.GatewayErrors;
import dev.capstan.gateway.service.RouteTable.Service;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Forwards a request to a service with the Vert.x HTTP client and streams both bodies through: the
 * request body is counted against the size limit as it flows, the response (SSE included) is written to
 * the client chunk by chunk as it arrives, and a client that goes away resets the upstream request so the
 * service sees the disconnect. Nothing here blocks the event loop.
 */
@ApplicationScoped
public class UpstreamClient {

    private static final Logger LOG = Logger.getLogger(UpstreamClient.class);
    /** Hop-by-hop headers, plus the client's credential and any identity it tried to pass itself. */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "authorization",
            "x-capstan-identity", "x-correlation-id", "traceparent", "x-forwarded-for", "x-forwarded-host",
            "x-forwarded-proto");
    private static final Set<String> NOT_RETURNED = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");

    /** What to forward: the service, the path with its query, and the headers the gateway adds. */
    public record Forward(Service service, String uri, String identityToken, String correlationId, String traceparent,
                          String routeTag) {
    }

    private final Vertx vertx;
    private final GatewayConfig.Proxy config;
    private final Map<Service, String> baseUrls = new EnumMap<>(Service.class);
    private final HttpClient client;
    private final GatewayErrors errors;
    private final MeterRegistry meters;
    private final Map<Service, CircuitBreaker> breakers = new EnumMap<>(Service.class);

    public UpstreamClient(Vertx vertx, GatewayConfig config, GatewayErrors errors, MeterRegistry meters) {
        this.vertx = vertx;
        this.config = config.proxy();
        this.errors = errors;
        this.meters = meters;
        baseUrls.put(Service.RUN, trimSlash(config.services().run()));
        baseUrls.put(Service.WEBHOOK, trimSlash(config.services().webhook()));
        baseUrls.put(Service.REGISTRY, trimSlash(config.services().registry()));
        var breaker = config.proxy().circuitBreaker();
        if (breaker.enabled()) {
            for (Service service : Service.values()) {
                breakers.put(service, new CircuitBreaker(breaker.failureThreshold(), breaker.openFor().toNanos(), System::nanoTime));
            }
        }
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) this.config.connectTimeout().toMillis())
                .setMaxPoolSize(this.config.maxConnectionsPerService())
                .setKeepAlive(true)
                .setDecompressionSupported(false));
    }

    public void forward(HttpServerRequest in, Forward forward) {
        HttpServerResponse out = in.response();
        String target = baseUrls.get(forward.service()) + forward.uri();
        RequestOptions options = new RequestOptions().setMethod(in.method()).setAbsoluteURI(target);
        in.headers().forEach(header -> {
            if (!NOT_FORWARDED.contains(header.getKey().toLowerCase())) {
                options.addHeader(header.getKey(), header.getValue());
            }
        });
        if (forward.identityToken() != null) {
            // Null on a route whose credential is a token in its path: the service verifies that token itself.
            options.putHeader(IdentityToken.HEADER, forward.identityToken());
        }
        options.putHeader("X-Correlation-Id", forward.correlationId());
        options.putHeader("traceparent", forward.traceparent());
        String clientAddress = in.remoteAddress() == null ? null : in.remoteAddress().hostAddress();
        if (clientAddress != null) {
            options.putHeader("X-Forwarded-For", clientAddress);
        }
        options.putHeader("X-Forwarded-Proto", in.scheme() == null ? "http" : in.scheme());
        if (in.authority() != null) {
            options.putHeader("X-Forwarded-Host", in.authority().toString());
        }
        String service = forward.service().name().toLowerCase();
        CircuitBreaker breaker = breakers.get(forward.service());
        if (breaker != null) {
            CircuitBreaker.Permit permit = breaker.tryAcquire();
            if (!permit.allowed()) {
                // The service has been failing: answer at once instead of holding the client for a timeout.
                in.resume();
                meters.counter("capstan.gateway.upstream.failures", "service", service, "outcome", "circuit_open").increment();
                out.putHeader("Retry-After", String.valueOf(Math.max(1, (permit.retryAfterMillis() + 999) / 1000)));
                errors.send(out, ErrorCode.SERVICE_UNAVAILABLE, 503, "The service behind this path is failing; retry later.",
                        Map.of("correlationId", forward.correlationId(), "service", service, "retryAfterMs", permit.retryAfterMillis()));
                return;
            }
        }
        AtomicBoolean settled = new AtomicBoolean();

        client.request(options).onComplete(opened -> {
            if (opened.failed()) {
                failed(breaker);
                if (settled.compareAndSet(false, true)) {
                    in.resume();
                    upstreamFailure(out, service, 502, "unreachable", "The service behind this path is unreachable.", forward);
                }
                return;
            }
            HttpClientRequest up = opened.result();
            long timer = vertx.setTimer(config.responseTimeout().toMillis(), id -> {
                if (settled.compareAndSet(false, true)) {
                    failed(breaker);
                    up.reset();
                    in.resume();
                    upstreamFailure(out, service, 504, "timeout", "The service did not answer in time.", forward);
                }
            });
            // A client that disconnects before the service finished: reset the upstream request (HTTP/1.1: close its connection).
            out.closeHandler(closed -> {
                if (!out.ended()) {
                    // The client's leaving is not the service's failure: settle first so the breaker does not count it.
                    settled.set(true);
                    up.reset();
                    meters.counter("capstan.gateway.client.disconnects", "service", service).increment();
                }
            });
            up.response().onComplete(answered -> {
                vertx.cancelTimer(timer);
                if (!settled.compareAndSet(false, true)) {
                    return;
                }
                if (answered.failed()) {
                    failed(breaker);
                    upstreamFailure(out, service, 502, "broken", "The service failed to answer.", forward);
                    return;
                }
                if (breaker != null) {
                    breaker.onSuccess();
                }
                relay(answered.result(), out, forward, service);
            });
            up.exceptionHandler(e -> LOG.debugf("Upstream request to %s failed: %s (correlationId=%s)", service, e.getMessage(), forward.correlationId()));
            sendBody(in, up, out, forward, settled, service);
        });
    }

    /** Streams the request body, refusing it with 413 once it passes the limit. */
    private void sendBody(HttpServerRequest in, HttpClientRequest up, HttpServerResponse out, Forward forward,
                          AtomicBoolean settled, String service) {
        String length = in.getHeader("Content-Length");
        boolean chunked = "chunked".equalsIgnoreCase(in.getHeader("Transfer-Encoding"));
        if (length == null && !chunked) {
            up.end();
            in.resume();
            return;
        }
        if (length != null) {
            up.putHeader("Content-Length", length);
        } else {
            up.setChunked(true);
        }
        long max = config.maxRequestBodyBytes();
        long[] received = {0};
        in.handler(chunk -> {
            received[0] += chunk.length();
            if (received[0] > max) {
                in.handler(null);
                if (settled.compareAndSet(false, true)) {
                    up.reset();
                    errors.send(out, ErrorCode.PAYLOAD_TOO_LARGE, 413, "The request body is larger than the gateway accepts.",
                            Map.of("maxRequestBodyBytes", max));
                }
                return;
            }
            up.write(chunk);
            if (up.writeQueueFull()) {
                in.pause();
                up.drainHandler(drained -> in.resume());
            }
        });
        in.endHandler(end -> {
            if (received[0] <= max) {
                up.end();
            }
        });
        in.exceptionHandler(e -> up.reset());
        in.resume();
    }

    /** Writes the service's answer to the client as it arrives. */
    private void relay(HttpClientResponse answer, HttpServerResponse out, Forward forward, String service) {
        out.setStatusCode(answer.statusCode());
        if (answer.statusMessage() != null) {
            out.setStatusMessage(answer.statusMessage());
        }
        MultiMap headers = out.headers();
        answer.headers().forEach(header -> {
            if (!NOT_RETURNED.contains(header.getKey().toLowerCase())) {
                headers.add(header.getKey(), header.getValue());
            }
        });
        headers.set("X-Correlation-Id", forward.correlationId());
        if (answer.getHeader("Content-Length") == null) {
            out.setChunked(true);
        }
        meters.counter("capstan.gateway.requests", "route", forward.routeTag(), "service", service,
                "status_class", (answer.statusCode() / 100) + "xx").increment();
        answer.handler(chunk -> {
            if (out.closed()) {
                return;
            }
            out.write(chunk);
            if (out.writeQueueFull()) {
                answer.pause();
                out.drainHandler(drained -> answer.resume());
            }
        });
        answer.endHandler(end -> {
            if (!out.closed() && !out.ended()) {
                out.end();
            }
        });
        answer.exceptionHandler(e -> {
            // The service went away mid-body: the client cannot get a clean response any more.
            if (!out.ended()) {
                out.reset();
            }
        });
    }

    private static void failed(CircuitBreaker breaker) {
        if (breaker != null) {
            breaker.onFailure();
        }
    }

    private void upstreamFailure(HttpServerResponse out, String service, int status, String outcome, String message, Forward forward) {
        meters.counter("capstan.gateway.upstream.failures", "service", service, "outcome", outcome).increment();
        errors.send(out, ErrorCode.SERVICE_UNAVAILABLE, status, message,
                Map.of("correlationId", forward.correlationId(), "service", service));
    }

    private static String trimSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
