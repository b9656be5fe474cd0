package dev.capstan.gateway.rest;

import dev.capstan.common.error.ErrorCode;
import dev.capstan.gateway.client.UpstreamClient;
import dev.capstan.gateway.client.UpstreamClient.Forward;
import dev.capstan.gateway.config.GatewayConfig;
import dev.capstan.gateway.error.GatewayErrors;
import dev.capstan.gateway.service.GatewayService;
import dev.capstan.gateway.service.GatewayService.RateLimitedException;
import dev.capstan.gateway.service.RouteTable;
import dev.capstan.gateway.service.TraceContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The proxy: a Vert.x route in front of the REST layer for every public surface the gateway forwards
 * ({@code /v1/...}, {@code /api/v1/workflows...}, {@code /workflows...}). Thin: it hands the request to
 * {@link GatewayService} for the decision and to {@link UpstreamClient} for the forwarding. The REST layer
 * keeps what the gateway answers itself (discovery, {@code /v1/openapi.json}, the admin API, /q/).
 */
@ApplicationScoped
public class ProxyRoute {

    static final String OPENAPI_PATH = "/v1/openapi.json";

    private final GatewayService gateway;
    private final UpstreamClient upstream;
    private final GatewayErrors errors;
    private final long maxBodyBytes;

    public ProxyRoute(GatewayService gateway, UpstreamClient upstream, GatewayErrors errors, GatewayConfig config) {
        this.gateway = gateway;
        this.upstream = upstream;
        this.errors = errors;
        this.maxBodyBytes = config.proxy().maxRequestBodyBytes();
    }

    void register(@Observes Router router) {
        router.route().handler(this::handle);
    }

    void handle(RoutingContext context) {
        // OpenWOP actions sit in the run segment (`/v1/runs/{id}:pause`); clients may percent-encode the colon.
        String path = context.normalizedPath().replace("%3A", ":").replace("%3a", ":");
        if (path.equals(OPENAPI_PATH) || !(RouteTable.isPublicSurface(path) || isUnversionedOpenWop(path))) {
            context.next();
            return;
        }
        HttpServerRequest request = context.request();
        // Hold the body until the request is admitted; it is then streamed to the service.
        request.pause();
        String correlationId = TraceContext.correlationId(request.getHeader("X-Correlation-Id"));
        String traceparent = TraceContext.childTraceparent(request.getHeader("traceparent"));
        request.response().putHeader("X-Correlation-Id", correlationId);
        if (isUnversionedOpenWop(path)) {
            refuse(request, ErrorCode.VALIDATION_ERROR, 400, "OpenWOP paths are versioned: use /v1" + path + ".");
            return;
        }
        String length = request.getHeader("Content-Length");
        if (length != null && parseLength(length) > maxBodyBytes) {
            refuse(request, ErrorCode.PAYLOAD_TOO_LARGE, 413, "The request body is larger than the gateway accepts.");
            return;
        }
        String uri = request.query() == null ? path : path + "?" + request.query();
        String clientAddress = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        gateway.admit(request.method().name(), path, request.getHeader("Authorization"), clientAddress, () -> deferredIdentity(context))
                .subscribe().with(
                        admitted -> upstream.forward(request, new Forward(admitted.route().service(), uri,
                                admitted.identityToken(), correlationId, traceparent, admitted.route().template())),
                        failure -> {
                            request.resume();
                            if (failure instanceof RateLimitedException limited) {
                                request.response().putHeader("Retry-After", String.valueOf(limited.retryAfterSeconds()));
                            }
                            errors.fail(request.response(), failure, correlationId);
                        });
    }

    private void refuse(HttpServerRequest request, ErrorCode code, int status, String message) {
        request.resume();
        errors.send(request.response(), code, status, message, Map.of());
    }

    /** The identity quarkus-oidc establishes on demand (proactive authentication is off). */
    private static Uni<SecurityIdentity> deferredIdentity(RoutingContext context) {
        // Quarkus would answer a failed token with its own bare 401; the gateway answers in the envelope.
        context.put(QuarkusHttpUser.AUTH_FAILURE_HANDLER, (BiConsumer<RoutingContext, Throwable>) (ctx, failure) -> {
        });
        Uni<SecurityIdentity> deferred = context.get(QuarkusHttpUser.DEFERRED_IDENTITY_KEY);
        return deferred == null ? Uni.createFrom().nullItem() : deferred;
    }

    /** OpenWOP roots without the version ({@code /runs}, {@code /webhooks}, {@code /packs}) are a client error. */
    static boolean isUnversionedOpenWop(String path) {
        for (String root : new String[] {"/runs", "/webhooks", "/packs"}) {
            if (path.equals(root) || path.startsWith(root + "/") || path.startsWith(root + ":")) {
                return true;
            }
        }
        return false;
    }

    private static long parseLength(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
