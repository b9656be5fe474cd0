package dev.capstan.gateway.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.common.error.ErrorEnvelope;
import io.quarkus.security.AuthenticationFailedException;
import io.vertx.core.http.HttpServerResponse;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Renders failures of the proxy path (a Vert.x route, outside the REST layer and its ErrorMapper) as the
 * same OpenWOP envelope, with the same rule: an unexpected failure is logged with the correlation id and
 * the client sees only that id.
 */
@ApplicationScoped
public class GatewayErrors {

    private static final Logger LOG = Logger.getLogger(GatewayErrors.class);

    private final ObjectMapper json;

    public GatewayErrors(ObjectMapper json) {
        this.json = json;
    }

    public void send(HttpServerResponse response, ErrorCode code, int status, String message, Map<String, Object> details) {
        send(response, status, new ErrorEnvelope(code.code(), message, details));
    }

    public void send(HttpServerResponse response, ApiException e) {
        send(response, e.status(), e.toEnvelope());
    }

    /** Any failure of the request path: refusals as they are, anything else as 500 with the correlation id. */
    public void fail(HttpServerResponse response, Throwable failure, String correlationId) {
        if (failure instanceof ApiException api) {
            send(response, api);
        } else if (failure instanceof AuthenticationFailedException) {
            send(response, ErrorCode.UNAUTHENTICATED, 401, "The bearer token is not valid.", Map.of());
        } else {
            LOG.errorf(failure, "Unexpected gateway failure, correlationId=%s", correlationId);
            send(response, ErrorCode.INTERNAL_ERROR, 500,
                    "The gateway failed to handle the request; quote the correlation id when reporting it.",
                    Map.of("correlationId", correlationId));
        }
    }

    private void send(HttpServerResponse response, int status, ErrorEnvelope envelope) {
        if (response.headWritten() || response.closed() || response.ended()) {
            response.reset();
            return;
        }
        try {
            byte[] body = json.writeValueAsBytes(envelope);
            response.setStatusCode(status).putHeader("Content-Type", "application/json")
                    .putHeader("Content-Length", String.valueOf(body.length))
                    .end(io.vertx.core.buffer.Buffer.buffer(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("The error envelope did not serialise", e);
        }
    }
}
