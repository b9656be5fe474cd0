package dev.capstan.devstack.testing;

import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import java.util.Map;
import org.assertj.core.api.Assertions;

/** Checks that a response is the OpenWOP error envelope and leaks nothing of the server's insides. */
public final class ErrorEnvelopeAssertions {

    private ErrorEnvelopeAssertions() {
    }

    public static ValidatableResponse assertEnvelope(Response response, int status, String code) {
        ValidatableResponse validatable = response.then().log().ifValidationFails()
                .statusCode(status)
                .contentType(startsWith("application/json"))
                .body("error", equalTo(code))
                .body("message", notNullValue())
                .body(not(anyOf(containsString("Exception"), containsString("\tat "), containsString(".java:"))));
        Map<String, Object> body = response.jsonPath().getMap("$");
        // The envelope is closed: error, message and (optionally) details, nothing else.
        Assertions.assertThat(body.keySet()).isSubsetOf("error", "message", "details").contains("error", "message");
        return validatable;
    }
}
