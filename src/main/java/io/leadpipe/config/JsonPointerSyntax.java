package io.leadpipe.config;

/** The syntax of a JSON pointer setting (RFC 6901), checked where paging and delta settings are read. */
public final class JsonPointerSyntax {

    private JsonPointerSyntax() {
    }

    /** Why a value is not a JSON pointer (RFC 6901), or null when it is one. */
    public static String problem(String v) {
        if (v.startsWith("$") || !v.startsWith("/") && v.contains(".")) {
            return "looks like a JSONPath; a JSON pointer names each level after a / (e.g. /data/items)";
        }
        if (!v.startsWith("/")) return "must be a JSON pointer starting with / (e.g. /data)";
        for (int i = v.indexOf('~'); i >= 0; i = v.indexOf('~', i + 1)) {
            if (i + 1 >= v.length() || (v.charAt(i + 1) != '0' && v.charAt(i + 1) != '1')) {
                return "is not a JSON pointer: ~ must be written ~0 and / inside a name ~1";
            }
        }
        return null;
    }
}
