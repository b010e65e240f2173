package io.leadpipe.probe;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The arrays in an answer, as JSON pointers with their lengths: where the records may be when the records
 * pointer finds none. Arrays of objects first, longest first; arrays inside arrays are not searched (they
 * are fields of records, not lists of them).
 */
final class JsonArrays {

    /** One array: its pointer ("" = the body itself), its length, and whether it holds objects. */
    record Found(String pointer, int length, boolean ofObjects) {
        String shown() {
            return (pointer.isEmpty() ? "(the body itself: records-pointer empty)" : pointer) + " (" + length + (length == 1 ? " item" : " items")
                    + (ofObjects ? "" : ", not objects") + ")";
        }
    }

    private static final int MAX_DEPTH = 8;

    private JsonArrays() {
    }

    static List<Found> in(JsonNode body) {
        List<Found> found = new ArrayList<>();
        walk(body, "", 0, found);
        found.sort(Comparator.comparing((Found f) -> !f.ofObjects()).thenComparing(Comparator.comparingInt(Found::length).reversed()));
        return found;
    }

    private static void walk(JsonNode node, String pointer, int depth, List<Found> found) {
        if (node == null || depth > MAX_DEPTH) return;
        if (node.isArray()) {
            found.add(new Found(pointer, node.size(), node.size() > 0 && node.get(0).isObject()));
            return;
        }
        if (!node.isObject()) return;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            walk(e.getValue(), pointer + "/" + escape(e.getKey()), depth + 1, found);
        }
    }

    /** The scalar fields of a record that look like its id (a name with "id" or "key"), as pointers into it. */
    static List<String> idCandidates(JsonNode record) {
        List<String> out = new ArrayList<>();
        candidates(record, "", 0, out);
        return out;
    }

    private static void candidates(JsonNode node, String pointer, int depth, List<String> out) {
        if (node == null || !node.isObject() || depth > 2) return;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String p = pointer + "/" + escape(e.getKey());
            String name = e.getKey().toLowerCase(java.util.Locale.ROOT);
            if (e.getValue().isValueNode() && !e.getValue().isNull() && (name.equals("id") || name.endsWith("id") || name.endsWith("_id")
                    || name.equals("key") || name.equals("uuid"))) {
                out.add(p);
            }
            candidates(e.getValue(), p, depth + 1, out);
        }
    }

    /** RFC 6901: ~ is written ~0 and / is written ~1 inside a name. */
    static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
