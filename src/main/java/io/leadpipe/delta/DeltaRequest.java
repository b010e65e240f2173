package io.leadpipe.delta;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.leadpipe.encoding.QueryEncoding;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One request as leadpipe is about to send it — URL (with its own query), leadpipe's query parameters,
 * headers, JSON body — and the same request with a delta's watermark applied. Pure: nothing here sends or logs.
 *
 * @param url    the source URL, its own query as written (encoded once)
 * @param params leadpipe's query parameters, decoded (encoded once when the query is built)
 * @param headers request headers
 * @param body   the JSON body of a POST, or null for a GET
 */
public record DeltaRequest(String url, Map<String, String> params, Map<String, String> headers, ObjectNode body) {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** {since} as written in a URL: plain, or percent-encoded by a user who encoded the whole query. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{since}|%7Bsince%7D", Pattern.CASE_INSENSITIVE);

    public DeltaRequest {
        params = new LinkedHashMap<>(params);
        headers = new LinkedHashMap<>(headers);
        body = body == null ? null : body.deepCopy();
    }

    public static DeltaRequest get(String url) {
        return new DeltaRequest(url, Map.of(), Map.of(), null);
    }

    /**
     * This request asking for what changed since {@code since}; {@code since} null = a full pull, which sends
     * no watermark — except where the watermark is part of the query itself ({since} in the URL), where a full
     * pull asks from the start of time.
     */
    public DeltaRequest since(DeltaSpec delta, Instant since) {
        DeltaRequest r = new DeltaRequest(url, params, headers, body);
        switch (delta.where()) {
            case QUERY -> { if (since != null) r.params.put(delta.name(), delta.value(since)); }
            case HEADER -> { if (since != null) r.headers.put(delta.name(), delta.value(since)); }
            case BODY -> {
                if (since != null) {
                    ObjectNode b = r.body == null ? JsonNodeFactory.instance.objectNode() : r.body;
                    set(b, delta.name(), bodyValue(delta, since));
                    return new DeltaRequest(url, params, headers, b);
                }
            }
            case URL -> {
                return new DeltaRequest(withSince(url, delta.value(since == null ? DeltaSpec.BEGINNING : since)), params, headers, body);
            }
            default -> { }
        }
        return r;
    }

    /** Whether a URL's query holds the {since} placeholder. */
    static boolean hasPlaceholder(String query) {
        return PLACEHOLDER.matcher(query).find();
    }

    /** The URL with {since} in its query replaced by the value, encoded once as the rest of that query is. */
    static String withSince(String url, String value) {
        int q = url.indexOf('?');
        if (q < 0) return url;
        String encoded = QueryEncoding.encode(value);
        return url.substring(0, q) + PLACEHOLDER.matcher(url.substring(q)).replaceAll(Matcher.quoteReplacement(encoded));
    }

    static boolean looksLikeJson(String template) {
        String t = template.strip();
        return t.startsWith("{") && !t.startsWith(DeltaSpec.SINCE) || t.startsWith("[");
    }

    /**
     * The body value: JSON when the template is JSON (a whole HubSpot filter object), a number when the
     * template is the bare epoch watermark, else text.
     */
    private static JsonNode bodyValue(DeltaSpec delta, Instant since) {
        String value = delta.value(since);
        if (looksLikeJson(delta.template())) {
            try {
                return JSON.readTree(value);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("leadpipe.source." + delta.source() + ".delta.template is not JSON once filled in", e);
            }
        }
        if (delta.format().numeric() && delta.template().strip().equals(DeltaSpec.SINCE)) return LongNode.valueOf(Long.parseLong(value));
        return TextNode.valueOf(value);
    }

    /**
     * Sets the value at a JSON pointer, making the objects and arrays on the way (a number or "-" is an
     * array index; "-" appends).
     */
    public static void set(ObjectNode root, String pointer, JsonNode value) {
        String[] tokens = pointer.substring(1).split("/", -1);
        JsonNode at = root;
        for (int i = 0; i < tokens.length; i++) {
            String token = tokens[i].replace("~1", "/").replace("~0", "~");
            boolean last = i == tokens.length - 1;
            boolean nextIsIndex = !last && isIndex(tokens[i + 1]);
            if (at instanceof ObjectNode o) {
                if (last) {
                    o.set(token, value);
                    return;
                }
                JsonNode child = o.get(token);
                if (child == null || !child.isContainerNode()) child = nextIsIndex ? o.putArray(token) : o.putObject(token);
                at = child;
            } else if (at instanceof ArrayNode a) {
                int index = token.equals("-") ? a.size() : Integer.parseInt(token);
                while (a.size() < index) a.addNull();
                if (last) {
                    if (index == a.size()) a.add(value);
                    else a.set(index, value);
                    return;
                }
                JsonNode child = index < a.size() ? a.get(index) : null;
                if (child == null || !child.isContainerNode()) {
                    child = nextIsIndex ? JsonNodeFactory.instance.arrayNode() : JsonNodeFactory.instance.objectNode();
                    if (index == a.size()) a.add(child);
                    else a.set(index, child);
                }
                at = child;
            } else {
                throw new IllegalArgumentException("cannot set " + pointer + ": " + token + " is not inside an object or array");
            }
        }
    }

    private static boolean isIndex(String token) {
        return token.equals("-") || token.matches("\\d+");
    }
}
