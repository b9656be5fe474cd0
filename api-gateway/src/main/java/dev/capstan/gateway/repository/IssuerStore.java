package dev.capstan.gateway.repository;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The OIDC issuers registered through the admin API (table {@code oidc_issuers}), on the reactive SQL client. */
@ApplicationScoped
public class IssuerStore {

    /** A stored issuer; {@code tenantId} null means the tenant comes from {@code tenantClaim}. */
    public record StoredIssuer(String id, String issuer, String authServerUrl, String audience, String tenantId,
                               String tenantClaim, Map<String, List<String>> roleScopes) {
    }

    private static final String COLUMNS = "id, issuer, auth_server_url, audience, tenant_id, tenant_claim, role_scopes";

    private final Pool pool;

    public IssuerStore(Pool pool) {
        this.pool = pool;
    }

    /** Every registered issuer (a handful per tenant at most; read whole for the in-memory table). */
    public Uni<List<StoredIssuer>> all() {
        return pool.query("SELECT " + COLUMNS + " FROM oidc_issuers ORDER BY id").execute().map(rows -> {
            List<StoredIssuer> issuers = new ArrayList<>();
            rows.forEach(row -> issuers.add(toIssuer(row)));
            return issuers;
        });
    }

    /** Inserts the issuer; false when one with the same {@code issuer} exists. */
    public Uni<Boolean> insert(StoredIssuer issuer) {
        JsonObject roles = new JsonObject();
        issuer.roleScopes().forEach((role, scopes) -> roles.put(role, new JsonArray(scopes)));
        return pool.preparedQuery("""
                        INSERT INTO oidc_issuers (id, issuer, auth_server_url, audience, tenant_id, tenant_claim, role_scopes)
                        VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (issuer) DO NOTHING""")
                .execute(Tuple.from(Arrays.asList(issuer.id(), issuer.issuer(), issuer.authServerUrl(), issuer.audience(),
                        issuer.tenantId(), issuer.tenantClaim(), roles)))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Deletes the issuer; false when there was none. */
    public Uni<Boolean> delete(String id) {
        return pool.preparedQuery("DELETE FROM oidc_issuers WHERE id = $1").execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
    }

    private static StoredIssuer toIssuer(Row row) {
        Map<String, List<String>> roleScopes = new LinkedHashMap<>();
        JsonObject roles = row.getJsonObject("role_scopes");
        if (roles != null) {
            for (String role : roles.fieldNames()) {
                List<String> scopes = new ArrayList<>();
                roles.getJsonArray(role).forEach(scope -> scopes.add(String.valueOf(scope)));
                roleScopes.put(role, List.copyOf(scopes));
            }
        }
        return new StoredIssuer(row.getString("id"), row.getString("issuer"), row.getString("auth_server_url"),
                row.getString("audience"), row.getString("tenant_id"), row.getString("tenant_claim"), roleScopes);
    }
}
