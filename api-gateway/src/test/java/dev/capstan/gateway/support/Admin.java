package dev.capstan.gateway.support;

import static io.restassured.RestAssured.given;

import io.restassured.specification.RequestSpecification;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The admin API as the tests use it. */
public final class Admin {

    public static final String TOKEN = "test-admin-token-0123456789abcdef0123456789";

    private Admin() {
    }

    public static RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + TOKEN).contentType("application/json");
    }

    /** Creates the tenant unless it exists (the application, and its database, outlive a test class). */
    public static void tenant(String id, Map<String, Object> rateLimit) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        if (rateLimit != null) {
            body.put("rateLimit", rateLimit);
        }
        int status = admin().body(body).when().post("/admin/v1/tenants").then().extract().statusCode();
        if (status != 201 && status != 409) {
            throw new IllegalStateException("tenant " + id + " not created: " + status);
        }
    }

    /** A new key; returns {id, key}. */
    public static Map<String, String> key(String tenant, List<String> scopes, String expiresAt) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tenant", tenant);
        body.put("scopes", scopes);
        if (expiresAt != null) {
            body.put("expiresAt", expiresAt);
        }
        var response = admin().body(body).when().post("/admin/v1/keys").then().statusCode(201).extract().jsonPath();
        return Map.of("id", response.getString("id"), "key", response.getString("key"));
    }
}
