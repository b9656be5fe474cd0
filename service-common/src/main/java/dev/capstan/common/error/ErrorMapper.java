package dev.capstan.common.error;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one error mapper of every Capstan service: every failure leaves as the OpenWOP error envelope
 * with the right status, and no stack trace or exception text of an unexpected failure reaches the client.
 */
public class ErrorMapper {

    private static final Logger LOG = Logger.getLogger(ErrorMapper.class);

    @ServerExceptionMapper
    public Response mapApiException(ApiException e) {
        return envelope(e.status(), e.toEnvelope());
    }

    /** Malformed JSON or JSON of the wrong shape, thrown by the body reader. */
    @ServerExceptionMapper
    public Response mapJsonProcessing(JsonProcessingException e) {
        return envelope(400, malformedJson(e));
    }

    // The JSON extension registers its own mappers for these two; naming them here makes ours win.
    @ServerExceptionMapper
    public Response mapMismatchedInput(MismatchedInputException e) {
        return envelope(400, malformedJson(e));
    }

    @ServerExceptionMapper
    public Response mapJsonParse(JsonParseException e) {
        return envelope(400, malformedJson(e));
    }

    @ServerExceptionMapper
    public Response mapWebApplication(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return envelope(400, malformedJson(json));
        }
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status >= 500) {
            return unexpected(e);
        }
        ErrorCode code = ErrorCode.forStatus(status);
        Response.ResponseBuilder response = Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorEnvelope(code.code(), clientMessage(status), Map.of()));
        if (e instanceof NotAllowedException && e.getResponse() != null) {
            String allow = e.getResponse().getHeaderString(HttpHeaders.ALLOW);
            if (allow != null) {
                response.header(HttpHeaders.ALLOW, allow);
            }
        }
        return response.build();
    }

    @ServerExceptionMapper
    public Response mapUnexpected(Throwable e) {
        if (e.getCause() instanceof ApiException api) {
            return mapApiException(api);
        }
        return unexpected(e);
    }

    private static Response unexpected(Throwable e) {
        String correlationId = UUID.randomUUID().toString();
        LOG.errorf(e, "Unexpected failure, correlationId=%s", correlationId);
        return envelope(500, new ErrorEnvelope(ErrorCode.INTERNAL_ERROR.code(),
                "The server failed to handle the request; quote the correlation id when reporting it.",
                Map.of("correlationId", correlationId)));
    }

    private static ErrorEnvelope malformedJson(JsonProcessingException e) {
        Map<String, Object> details = new LinkedHashMap<>();
        JsonLocation location = e.getLocation();
        if (location != null && location.getLineNr() > 0) {
            details.put("line", location.getLineNr());
            details.put("column", location.getColumnNr());
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            details.put("path", pointer(mapping));
        }
        // getOriginalMessage() is the parser's own sentence, without the source excerpt Jackson appends.
        details.put("reason", e.getOriginalMessage());
        return new ErrorEnvelope(ErrorCode.VALIDATION_ERROR.code(), "The request body is not valid JSON for this operation.", details);
    }

    private static String pointer(JsonMappingException e) {
        StringBuilder pointer = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            pointer.append('/');
            pointer.append(ref.getFieldName() != null ? ref.getFieldName().replace("~", "~0").replace("/", "~1") : String.valueOf(ref.getIndex()));
        }
        return pointer.toString();
    }

    private static String clientMessage(int status) {
        return switch (status) {
            case 400 -> "The request is not valid.";
            case 401 -> "Authentication is required.";
            case 403 -> "The credentials do not allow this operation.";
            case 404 -> "No resource exists at this path.";
            case 405 -> "This method is not allowed on this path.";
            case 406 -> "None of the accepted media types can be produced.";
            case 413 -> "The request body is too large.";
            case 415 -> "The request's content type is not supported here.";
            default -> "The request could not be handled.";
        };
    }

    static Response envelope(int status, ErrorEnvelope body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}
