package io.leadpipe.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadpipe.secrets.Secrets;

import java.io.IOException;
import java.util.List;

/**
 * What a provider said when it refused a request, in its own words: the error code and message of its answer
 * (OAuth's error/error_description, Zoho's code/message, Salesforce's errorCode/message, an errors[] list,
 * RFC 6750's WWW-Authenticate error=…), else the start of the body; scrubbed of secrets, cut short.
 */
public final class ProviderWords {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SNIPPET = 200;
    private static final List<String> CODES = List.of("error", "code", "errorCode", "error_code", "type", "status");
    private static final List<String> MESSAGES = List.of("error_description", "message", "error_message", "detail", "title", "msg");

    private ProviderWords() {
    }

    /** {@code INVALID_TOKEN: invalid oauth token}, or the body's start; null when the answer said nothing. */
    public static String of(String body, String wwwAuthenticate) {
        String said = fromJson(body);
        if (said == null && wwwAuthenticate != null && !wwwAuthenticate.isBlank()) said = "WWW-Authenticate: " + wwwAuthenticate.strip();
        if (said == null && body != null && !body.isBlank()) said = body.strip().replaceAll("\\s+", " ");
        if (said == null) return null;
        said = Secrets.scrub(said); // whole, before it is cut: a secret is never left half-visible
        return said.length() > SNIPPET ? said.substring(0, SNIPPET) + "…" : said;
    }

    private static String fromJson(String body) {
        if (body == null || body.isBlank()) return null;
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (IOException notJson) {
            return null;
        }
        if (n == null) return null;
        if (n.isArray() && !n.isEmpty()) n = n.get(0); // Salesforce: [{"message":…,"errorCode":…}]
        if (n.has("errors") && n.get("errors").isArray() && !n.get("errors").isEmpty()) n = n.get("errors").get(0);
        if (n.has("error") && n.get("error").isObject()) n = n.get("error"); // {"error":{"code":…,"message":…}}
        if (!n.isObject()) return null;
        String code = first(n, CODES);
        String message = first(n, MESSAGES);
        if (code == null && message == null) return null;
        return code == null ? message : message == null ? code : code + ": " + message;
    }

    private static String first(JsonNode n, List<String> fields) {
        for (String f : fields) {
            JsonNode v = n.get(f);
            if (v != null && v.isValueNode() && !v.asText().isBlank()) return v.asText();
        }
        return null;
    }
}
