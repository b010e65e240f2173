package io.leadpipe.paging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadpipe.config.ConfigException;
import io.leadpipe.config.ApiKeys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fixed part of a POST source's JSON body ({@code leadpipe.source.<name>.body} or {@code body-file}):
 * what a flat list of fields cannot say, such as HubSpot search's nested {@code filterGroups} and
 * {@code sorts}. leadpipe's own fields (page size, position, job filters, watermark) are set on top of it
 * at the top level, replacing a field of the same name.
 */
public final class RequestBody {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RequestBody() {
    }

    /** The source's base body, or an empty object when none is set; a body that is not a JSON object stops at start. */
    public static ObjectNode read(ApiKeys k, String method) {
        String text = k.optional("body");
        String key = k.key("body");
        String file = k.optional("body-file");
        if (file != null) {
            if (text != null) throw new ConfigException("invalid setting " + key + ": set " + key + " or " + k.key("body-file") + ", not both");
            key = k.key("body-file");
            try {
                text = Files.readString(Path.of(file));
            } catch (IOException e) {
                throw new ConfigException("invalid setting " + key + ": cannot read " + key + " " + file + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        if (text == null || text.isBlank()) return JSON.createObjectNode();
        if (!"POST".equalsIgnoreCase(method)) {
            throw new ConfigException("invalid setting " + key + ": " + key + " is set but " + k.key("method") + " is not POST: a GET request has no body");
        }
        JsonNode body;
        try {
            body = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            // the parser's own position says where; the text itself may hold values the user would not print
            throw new ConfigException("invalid setting " + key + ": " + key + " is not valid JSON (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")");
        }
        if (!(body instanceof ObjectNode object)) throw new ConfigException("invalid setting " + key + ": must be a JSON object ({...}), not " + body.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        return object;
    }
}
