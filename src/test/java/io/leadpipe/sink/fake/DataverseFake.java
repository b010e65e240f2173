package io.leadpipe.sink.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Microsoft Dataverse Web API (Dynamics 365) contacts, as documented (learn.microsoft.com):
 * <ul>
 * <li>Upsert by alternate key: {@code PATCH /api/data/v9.2/contacts(emailaddress1='…')} creates the row when the key is not
 *     there and updates it when it is, answering 204 No Content either way — the identical request sent again creates no
 *     duplicate: https://learn.microsoft.com/power-apps/developer/data-platform/webapi/update-delete-entities-using-web-api</li>
 * <li>Retrieve by alternate key: {@code GET …/contacts(emailaddress1='…')?$select=…} → 200 with the columns, {@code @odata.etag}
 *     and {@code contactid}; 404 {@code {"error":{"code":"0x80040217","message":"A record with the specified key values does not
 *     exist in contact entity"}}}.</li>
 * <li>An unknown column: 400 {@code {"error":{"code":"0x80060888","message":"The property '…' does not exist on type
 *     'Microsoft.Dynamics.CRM.contact'…"}}}.</li>
 * <li>Service protection limits: 429 with {@code Retry-After} (seconds), {@code {"error":{"code":"0x80072322","message":"Number of
 *     requests exceeded the limit of 6000 over time window of 300 seconds."}}}; {@code x-ms-ratelimit-burst-remaining-xrm-requests}
 *     on answers (Service protection API limits).</li>
 * <li>OAuth2 client credentials with Microsoft Entra ID: {@code POST /{tenant}/oauth2/v2.0/token}, {@code grant_type=client_credentials},
 *     {@code client_id}, {@code client_secret}, {@code scope=https://{org}.crm.dynamics.com/.default} → {@code access_token}.</li>
 * <li>Basic delete, {@code DELETE} on the row's URI (here by alternate key) → 204 No Content, the row gone
 *     (update-delete-entities-using-web-api, "Basic delete"); a key that names no row → 404 0x80040217, as for a retrieve.</li>
 * </ul>
 */
public final class DataverseFake extends CrmFake {

    public static final String TENANT = "contoso-tenant";
    public static final String CLIENT_ID = "leadpipe-app";
    public static final String CLIENT_SECRET = "s3cret-value";
    private final Set<String> columns = Set.of("emailaddress1", "firstname", "lastname", "jobtitle", "websiteurl", "address1_country",
            "description", "leadsourcecode");
    private final Map<String, Map<String, Object>> contacts = new ConcurrentHashMap<>();
    public final AtomicInteger tokensIssued = new AtomicInteger();
    private static final Pattern ROW = Pattern.compile("/api/data/v9\\.2/contacts\\(emailaddress1='(.*)'\\)");

    public DataverseFake(String token) throws IOException {
        super(token);
        windowMillis = 300_000;
    }

    public String url() {
        return baseUrl();
    }

    public String tokenUrl() {
        return baseUrl() + "/" + TENANT + "/oauth2/v2.0/token";
    }

    @Override
    protected boolean authorized(HttpExchange ex) {
        return !counted(ex) || super.authorized(ex);
    }

    /** The token endpoint is Entra ID's, not Dataverse's: outside its limits. */
    @Override
    protected boolean counted(HttpExchange ex) {
        return !ex.getRequestURI().getPath().endsWith("/oauth2/v2.0/token");
    }

    @Override
    protected void refuseAuth(HttpExchange ex) throws IOException {
        send(ex, 401, Map.of("error", Map.of("code", "0x80072560", "message", "The user is not a member of the organization.")));
    }

    @Override
    protected void quotaHeaders(HttpExchange ex, int remaining) {
        if (remaining >= 0) ex.getResponseHeaders().set("x-ms-ratelimit-burst-remaining-xrm-requests", Integer.toString(remaining));
    }

    @Override
    protected void refuseQuota(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("Retry-After", "1");
        send(ex, 429, Map.of("error", Map.of("code", "0x80072322", "message", "Number of requests exceeded the limit of 6000 over time window of 300 seconds.")));
    }

    @Override
    protected void handle(HttpExchange ex, String method, String path, String rawQuery, JsonNode body) throws IOException {
        if (method.equals("POST") && path.equals("/" + TENANT + "/oauth2/v2.0/token")) {
            token(ex, body == null ? "" : body.asText());
            return;
        }
        Matcher m = ROW.matcher(ex.getRequestURI().getRawPath());
        if (!m.matches()) {
            send(ex, 404, Map.of("error", Map.of("code", "0x8006088a", "message", "Resource not found for the segment '" + path + "'.")));
            return;
        }
        String email = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8).replace("''", "'").toLowerCase(Locale.ROOT);
        if (method.equals("PATCH")) upsert(ex, email, body);
        else if (method.equals("GET")) get(ex, email, rawQuery);
        else if (method.equals("DELETE")) delete(ex, email);
        else send(ex, 405, Map.of("error", Map.of("code", "0x80060888", "message", "method not allowed")));
    }

    private void token(HttpExchange ex, String form) throws IOException {
        Map<String, String> f = new LinkedHashMap<>();
        for (String p : form.split("&")) {
            int eq = p.indexOf('=');
            if (eq > 0) f.put(URLDecoder.decode(p.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8));
        }
        if (!"client_credentials".equals(f.get("grant_type")) || !CLIENT_ID.equals(f.get("client_id")) || !CLIENT_SECRET.equals(f.get("client_secret"))
                || f.get("scope") == null || !f.get("scope").endsWith("/.default")) {
            send(ex, 401, Map.of("error", "invalid_client", "error_description", "AADSTS7000215: Invalid client secret provided."));
            return;
        }
        tokensIssued.incrementAndGet();
        send(ex, 200, Map.of("token_type", "Bearer", "expires_in", 3599, "access_token", token));
    }

    private void upsert(HttpExchange ex, String email, JsonNode body) throws IOException {
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String c = it.next();
            if (!columns.contains(c)) {
                refused();
                send(ex, 400, Map.of("error", Map.of("code", "0x80060888", "message",
                        "The property '" + c + "' does not exist on type 'Microsoft.Dynamics.CRM.contact'. Make sure to only use property names that are defined by the type.")));
                return;
            }
        }
        synchronized (this) {
            Map<String, Object> row = contacts.containsKey(email) ? new LinkedHashMap<>(contacts.get(email)) : new LinkedHashMap<>();
            row.putIfAbsent("contactid", UUID.nameUUIDFromBytes(email.getBytes(StandardCharsets.UTF_8)).toString());
            body.fields().forEachRemaining(e -> row.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class)));
            row.put("emailaddress1", email);
            contacts.put(email, row);
            wrote(email);
        }
        ex.getResponseHeaders().set("OData-EntityId", baseUrl() + "/api/data/v9.2/contacts(" + contacts.get(email).get("contactid") + ")");
        ex.sendResponseHeaders(204, -1);
    }

    /** Basic delete by alternate key: 204, the row gone for good; no such row: 404 0x80040217 as for a read. */
    private void delete(HttpExchange ex, String email) throws IOException {
        deleteCall();
        if (contacts.remove(email) == null) {
            deletedGone();
            send(ex, 404, Map.of("error", Map.of("code", "0x80040217", "message", "A record with the specified key values does not exist in contact entity")));
            return;
        }
        deleted(email);
        if (loseDeleteAnswer(ex)) return;
        ex.sendResponseHeaders(204, -1);
    }

    private void get(HttpExchange ex, String email, String rawQuery) throws IOException {
        Map<String, Object> row = contacts.get(email);
        if (row == null) {
            send(ex, 404, Map.of("error", Map.of("code", "0x80040217", "message", "A record with the specified key values does not exist in contact entity")));
            return;
        }
        String select = null;
        for (String p : rawQuery == null ? new String[0] : rawQuery.split("&")) {
            String d = URLDecoder.decode(p, StandardCharsets.UTF_8);
            if (d.startsWith("$select=")) select = d.substring("$select=".length());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("@odata.context", baseUrl() + "/api/data/v9.2/$metadata#contacts/$entity");
        out.put("@odata.etag", "W/\"" + row.hashCode() + "\"");
        if (select == null) out.putAll(row);
        else for (String c : select.split(",")) out.put(c, row.get(c));
        out.put("contactid", row.get("contactid"));
        send(ex, 200, out);
    }

    @Override
    public Map<String, Map<String, Object>> records() {
        return Map.copyOf(contacts);
    }

    @Override
    public int duplicates() {
        return 0; // one row per alternate key by construction
    }
}
