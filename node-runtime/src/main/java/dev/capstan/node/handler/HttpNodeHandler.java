package dev.capstan.node.handler;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.node.http.CappedBody;
import dev.capstan.node.http.HostResolver;
import dev.capstan.node.http.OutboundHttp;
import dev.capstan.node.http.PinnedTarget;
import dev.capstan.node.NodeContext;
import dev.capstan.node.NodeRuntimeSettings;
import dev.capstan.node.NodeFailure;
import dev.capstan.node.NodeHandler;
import dev.capstan.node.NodeOutcome;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * HTTP request nodes ({@code core.http.request}, {@code core.http}; OSOP {@code osop.api} through
 * {@link OsopApiConfig}). Config: {@code method}, {@code url}, {@code headers}, {@code query},
 * {@code body} with {@code bodyType} json | form | multipart | raw (and {@code contentType} for raw; without a
 * bodyType a configured Content-Type header decides), {@code auth}
 * {@code {type: bearer|basic|apiKey, secretRef, username?, header?}}, {@code timeoutMs},
 * {@code retry {maxRetries, backoffMs}}, {@code expectedStatus}. Side-effecting methods carry the invocation id
 * as {@code Idempotency-Key}. Retries on connect errors, 429 and 5xx with exponential backoff, honouring
 * {@code Retry-After}. The host is resolved once and checked; plain-http requests are pinned to the checked
 * address ({@link PinnedTarget}). A cancelled attempt aborts its request and starts no retry.
 */
public class HttpNodeHandler implements NodeHandler {

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    private final OutboundHttp http;
    private final NodeRuntimeSettings.Http settings;
    private final ObjectMapper json;
    private final HostResolver resolver;

    public HttpNodeHandler(OutboundHttp http, NodeRuntimeSettings config, ObjectMapper json) {
        this(http, config, json, HostResolver.SYSTEM);
    }

    /** With a resolver of its own (tests, embedders with their own DNS); the host is resolved once per request. */
    public HttpNodeHandler(OutboundHttp http, NodeRuntimeSettings config, ObjectMapper json, HostResolver resolver) {
        this.http = http;
        this.settings = config.http();
        this.json = json;
        this.resolver = resolver;
    }

    @Override
    public Set<String> typeIds() {
        return Set.of("core.http.request", "core.http", "osop.api");
    }

    @Override
    public boolean sideEffecting() {
        return true;
    }

    @Override
    public CompletionStage<NodeOutcome> execute(NodeContext ctx) {
        boolean osop = ctx.invocation().typeId().equals("osop.api");
        Map<String, Object> c = osop ? OsopApiConfig.toHttpConfig(ctx.config()) : ctx.config();
        HttpRequest request = build(ctx, c);
        int maxRetries = Nodes.param(ctx, "retry") instanceof Map<?, ?> r && r.get("maxRetries") instanceof Number n
                ? n.intValue() : c.get("retry") instanceof Map<?, ?> r2 && r2.get("maxRetries") instanceof Number n2
                ? n2.intValue() : settings.defaultMaxRetries();
        long backoff = c.get("retry") instanceof Map<?, ?> r3 && r3.get("backoffMs") instanceof Number b
                ? b.longValue() : settings.backoffMs();
        CompletionStage<NodeOutcome> outcome = attempt(ctx, request, 0, Math.max(0, maxRetries), backoff, c);
        return osop ? outcome.thenApply(o -> OsopOutputs.apply(ctx.config(), o)) : outcome;
    }

    private CompletionStage<NodeOutcome> attempt(NodeContext ctx, HttpRequest request, int retry, int maxRetries,
                                                 long backoff, Map<String, Object> c) {
        ctx.cancellation().throwIfCancelled();
        CompletableFuture<HttpResponse<CappedBody.Body>> sent = http.client()
                .sendAsync(request, CappedBody.handler(settings.maxResponseBytes()));
        // Cancelling the client's future aborts the exchange (the connection is closed).
        ctx.cancellation().onCancel(() -> sent.cancel(true));
        return sent.handle((response, error) -> {
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        boolean connect = cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException;
                        if (connect && retry < maxRetries) {
                            return later(backoff << retry, () -> attempt(ctx, request, retry + 1, maxRetries, backoff, c));
                        }
                        if (cause instanceof HttpTimeoutException && !connect) {
                            return CompletableFuture.<NodeOutcome>failedFuture(new NodeFailure("http_timeout",
                                    "The request to " + hostOf(request) + " timed out.", true));
                        }
                        return CompletableFuture.<NodeOutcome>failedFuture(new NodeFailure(
                                connect ? "http_connect_failed" : "http_failed", "The request to " + hostOf(request)
                                + " failed: " + cause.getClass().getSimpleName(), true));
                    }
                    int status = response.statusCode();
                    if ((status == 429 || status >= 500) && retry < maxRetries) {
                        Long retryAfter = retryAfterMs(response);
                        if (retryAfter == null || retryAfter <= settings.maxRetryAfterMs()) {
                            long wait = retryAfter != null ? retryAfter : backoff << retry;
                            return later(wait, () -> attempt(ctx, request, retry + 1, maxRetries, backoff, c));
                        }
                    }
                    return CompletableFuture.completedFuture(outcome(response, retry, c));
                })
                .thenCompose(s -> s);
    }

    private static CompletionStage<NodeOutcome> later(long delayMs, java.util.function.Supplier<CompletionStage<NodeOutcome>> next) {
        return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS))
                .thenCompose(x -> next.get());
    }

    private NodeOutcome outcome(HttpResponse<CappedBody.Body> response, int retries, Map<String, Object> c) {
        int status = response.statusCode();
        CappedBody.Body body = response.body();
        String text = new String(body.bytes(), StandardCharsets.UTF_8);
        Map<String, Object> httpInfo = new LinkedHashMap<>();
        httpInfo.put("status", status);
        httpInfo.put("preview", text.length() > settings.previewBytes() ? text.substring(0, settings.previewBytes()) : text);
        httpInfo.put("retries", retries);
        if (body.tooLarge()) {
            httpInfo.put("truncated", true);
            return new NodeOutcome.Failed(new NodeOutcome.NodeError("response_too_large", "The response is larger than "
                    + settings.maxResponseBytes() + " bytes.", false, Map.of("status", status)), null, httpInfo);
        }
        if (!expected(status, c.get("expectedStatus"))) {
            boolean retryable = status == 429 || status >= 500;
            return new NodeOutcome.Failed(new NodeOutcome.NodeError("http_status", "The server answered " + status + ".",
                    retryable, Map.of("status", status)), null, httpInfo);
        }
        Map<String, Object> outputs = new LinkedHashMap<>();
        outputs.put("status", status);
        outputs.put("headers", response.headers().map().entrySet().stream()
                .filter(e -> !e.getKey().startsWith(":"))
                .collect(Collectors.toMap(e -> e.getKey().toLowerCase(Locale.ROOT), e -> String.join(", ", e.getValue()),
                        (a, b) -> a, LinkedHashMap::new)));
        outputs.put("body", parse(text, response.headers().firstValue("content-type").orElse("")));
        return new NodeOutcome.Completed(outputs, null, httpInfo);
    }

    private Object parse(String text, String contentType) {
        if (contentType.toLowerCase(Locale.ROOT).contains("json") && !text.isBlank()) {
            try {
                return json.readValue(text, Object.class);
            } catch (JsonProcessingException e) {
                return text;
            }
        }
        return text;
    }

    private static boolean expected(int status, Object expected) {
        if (expected instanceof Number n) {
            return status == n.intValue();
        }
        if (expected instanceof List<?> l && !l.isEmpty()) {
            return l.stream().anyMatch(x -> x instanceof Number n && n.intValue() == status);
        }
        return status < 400;
    }

    private static Long retryAfterMs(HttpResponse<?> response) {
        String v = response.headers().firstValue("retry-after").orElse(null);
        if (v == null) {
            return null;
        }
        try {
            return Math.max(0, Long.parseLong(v.trim()) * 1000);
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                return Math.max(0, at.toInstant().toEpochMilli() - System.currentTimeMillis());
            } catch (java.time.format.DateTimeParseException e) {
                return null;
            }
        }
    }

    private static String hostOf(HttpRequest r) {
        return r.headers().firstValue("Host").map(h -> h.replaceAll(":\\d+$", "")).orElse(r.uri().getHost());
    }

    private HttpRequest build(NodeContext ctx, Map<String, Object> c) {
        String method = String.valueOf(c.getOrDefault("method", "GET")).toUpperCase(Locale.ROOT);
        if (!(c.get("url") instanceof String url) || url.isBlank()) {
            throw new NodeFailure("validation_error", "The HTTP node needs a url.", false);
        }
        URI uri;
        try {
            uri = URI.create(withQuery(url, c.get("query")));
        } catch (IllegalArgumentException e) {
            throw new NodeFailure("validation_error", "The url is not a valid URL.", false);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new NodeFailure("validation_error", "The url must be an absolute http(s) URL.", false);
        }
        PinnedTarget target;
        try {
            target = PinnedTarget.of(uri, ctx.policy().privateTargetsAllowed(settings, ctx.tenantId()), resolver);
        } catch (PinnedTarget.Refused why) {
            throw new NodeFailure("target_forbidden", "The request was refused: " + why.getMessage() + ".", false);
        }
        long timeoutMs = c.get("timeoutMs") instanceof Number n ? n.longValue() : settings.defaultTimeoutMs();
        HttpRequest.Builder b = HttpRequest.newBuilder(target.uri()).timeout(Duration.ofMillis(timeoutMs));
        if (c.get("headers") instanceof Map<?, ?> headers) {
            headers.forEach((k, v) -> {
                if (v != null && !String.valueOf(k).equalsIgnoreCase("host")) {
                    b.header(String.valueOf(k), String.valueOf(v));
                }
            });
        }
        if (target.pinned()) {
            b.setHeader("Host", target.hostHeader());
        }
        auth(ctx, c.get("auth"), b);
        if (!SAFE_METHODS.contains(method)) {
            b.setHeader("Idempotency-Key", ctx.invocation().invocationId());
        }
        b.method(method, body(c, b));
        return b.build();
    }

    /**
     * The body and its Content-Type. {@code bodyType} json | form | multipart | raw; without one, a configured
     * Content-Type header decides (form-urlencoded, multipart/form-data, *json), else a string is raw and anything
     * else JSON. A configured Content-Type is kept when it fits the body type (charset, vendor JSON types); for
     * multipart the boundary is ours.
     */
    private HttpRequest.BodyPublisher body(Map<String, Object> c, HttpRequest.Builder b) {
        Object body = c.get("body");
        if (body == null) {
            return HttpRequest.BodyPublishers.noBody();
        }
        String configured = configuredContentType(c);
        String type = c.get("bodyType") instanceof String t ? t.toLowerCase(Locale.ROOT)
                : configured != null && bodyTypeOf(configured) != null ? bodyTypeOf(configured)
                : body instanceof String ? "raw" : "json";
        switch (type) {
            case "form", "form-urlencoded", "urlencoded" -> {
                if (!(body instanceof Map<?, ?> form)) {
                    throw new NodeFailure("validation_error", "A form body must be an object of fields.", false);
                }
                b.setHeader("Content-Type", "form".equals(bodyTypeOf(configured)) ? configured
                        : "application/x-www-form-urlencoded");
                return HttpRequest.BodyPublishers.ofString(form.entrySet().stream()
                        .flatMap(e -> values(e.getValue()).stream()
                                .map(v -> enc(String.valueOf(e.getKey())) + "=" + enc(v == null ? "" : String.valueOf(v))))
                        .collect(Collectors.joining("&")));
            }
            case "multipart", "multipart/form-data", "form-data" -> {
                if (!(body instanceof Map<?, ?> fields)) {
                    throw new NodeFailure("validation_error", "A multipart body must be an object of fields.", false);
                }
                String boundary = "capstan-" + java.util.UUID.randomUUID().toString().replace("-", "");
                b.setHeader("Content-Type", "multipart/form-data; boundary=" + boundary);
                return HttpRequest.BodyPublishers.ofByteArray(multipart(fields, boundary));
            }
            case "raw" -> {
                b.setHeader("Content-Type", c.get("contentType") instanceof String ct ? ct
                        : configured != null ? configured : "text/plain; charset=utf-8");
                return HttpRequest.BodyPublishers.ofString(String.valueOf(body));
            }
            case "json" -> {
                b.setHeader("Content-Type", "json".equals(bodyTypeOf(configured)) ? configured : "application/json");
                try {
                    return HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body));
                } catch (JsonProcessingException e) {
                    throw new NodeFailure("validation_error", "The body cannot be written as JSON.", false);
                }
            }
            default -> throw new NodeFailure("validation_error", "bodyType must be json, form, multipart or raw.", false);
        }
    }

    /** The body type a Content-Type names: form, multipart or json; null for anything else. */
    static String bodyTypeOf(String contentType) {
        if (contentType == null) {
            return null;
        }
        String ct = contentType.toLowerCase(Locale.ROOT);
        if (ct.startsWith("application/x-www-form-urlencoded")) {
            return "form";
        }
        if (ct.startsWith("multipart/form-data")) {
            return "multipart";
        }
        if (ct.contains("json")) {
            return "json";
        }
        return null;
    }

    private static String configuredContentType(Map<String, Object> c) {
        if (c.get("headers") instanceof Map<?, ?> headers) {
            for (Map.Entry<?, ?> e : headers.entrySet()) {
                if (String.valueOf(e.getKey()).equalsIgnoreCase("Content-Type") && e.getValue() != null) {
                    return String.valueOf(e.getValue());
                }
            }
        }
        return null;
    }

    private static List<?> values(Object v) {
        return v instanceof List<?> l ? l : java.util.Collections.singletonList(v);
    }

    /**
     * Text fields; a list repeats the field; an object {@code {filename?, content, contentType?}} is a part with
     * that text content (a file given inline).
     */
    private static byte[] multipart(Map<?, ?> fields, String boundary) {
        StringBuilder sb = new StringBuilder();
        fields.forEach((k, v) -> {
            String name = String.valueOf(k).replace("\"", "%22").replace("\r", "").replace("\n", "");
            for (Object value : values(v)) {
                sb.append("--").append(boundary).append("\r\n");
                if (value instanceof Map<?, ?> part && part.containsKey("content")) {
                    sb.append("Content-Disposition: form-data; name=\"").append(name).append('"');
                    if (part.get("filename") != null) {
                        sb.append("; filename=\"").append(String.valueOf(part.get("filename")).replace("\"", "%22")).append('"');
                    }
                    sb.append("\r\nContent-Type: ").append(part.get("contentType") instanceof String ct ? ct
                            : "application/octet-stream").append("\r\n\r\n").append(String.valueOf(part.get("content")));
                } else {
                    sb.append("Content-Disposition: form-data; name=\"").append(name).append("\"\r\n\r\n")
                            .append(value == null ? "" : String.valueOf(value));
                }
                sb.append("\r\n");
            }
        });
        sb.append("--").append(boundary).append("--\r\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void auth(NodeContext ctx, Object auth, HttpRequest.Builder b) {
        if (!(auth instanceof Map<?, ?> a)) {
            return;
        }
        String type = String.valueOf(a.get("type")).toLowerCase(Locale.ROOT);
        Object ref = a.get("secretRef");
        if (!(ref instanceof String secretRef)) {
            throw new NodeFailure("validation_error", "auth needs a secretRef naming a tenant secret.", false);
        }
        String secret = ctx.secrets().require(secretRef);
        switch (type) {
            case "bearer", "bearer_token" -> b.setHeader("Authorization", "Bearer " + secret);
            case "basic" -> {
                String user = a.get("username") instanceof String u ? u : "";
                b.setHeader("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8)));
            }
            case "apikey", "api_key", "api-key" -> b.setHeader(a.get("header") instanceof String h ? h : "X-API-Key", secret);
            default -> throw new NodeFailure("validation_error", "auth.type must be bearer, basic or apiKey.", false);
        }
    }

    private static String withQuery(String url, Object query) {
        if (!(query instanceof Map<?, ?> q) || q.isEmpty()) {
            return url;
        }
        String qs = q.entrySet().stream().flatMap(e -> {
            Object v = e.getValue();
            List<?> values = v instanceof List<?> l ? l : java.util.Collections.singletonList(v);
            return values.stream().map(x -> enc(String.valueOf(e.getKey())) + "=" + enc(x == null ? "" : String.valueOf(x)));
        }).collect(Collectors.joining("&"));
        return url + (url.contains("?") ? "&" : "?") + qs;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
