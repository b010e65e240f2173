package io.leadpipe.paging;

import io.leadpipe.config.ConfigException;
import io.leadpipe.config.Settings;

import java.util.Locale;

/** How one API is called and read: {@code leadpipe.source.<name>.*}. */
public record SourceSettings(String name, String url, String method, int pageSize, String pageSizeParam,
                             String recordsPointer, String fieldsPointer, String totalPointer, String idPointer,
                             String apiKeyHeader, String apiKeyPrefix, String apiKeyEnv, String apiKeyFile,
                             int maxRequestsPerSecond, String paging, Paginator paginator, int concurrency) {

    public static final String KINDS = "cursor, cursor-header, next-url, link-header, keyset, offset, page";

    public static SourceSettings from(Settings s, String name) {
        String p = "leadpipe.source." + name + ".";
        // every pointer is checked, also those the chosen paging kind does not use, before any request
        for (String key : s.asProperties().stringPropertyNames()) {
            if (key.startsWith(p) && key.endsWith("-pointer") && s.get(key) != null) pointer(s, key, null);
        }
        String url = s.get(p + "url");
        if (url == null) throw new ConfigException("source '" + name + "' has no URL: set " + p + "url");
        if (!url.startsWith("http://") && !url.startsWith("https://")) throw s.invalid(p + "url", url, "must start with http:// or https://");
        String method = s.get(p + "method", "GET").toUpperCase(Locale.ROOT);
        if (!method.equals("GET") && !method.equals("POST")) throw s.invalid(p + "method", method, "must be GET or POST");
        int pageSize = s.getInt(p + "page-size", 100, 1, 100_000);
        String paging = s.get(p + "paging", "cursor").toLowerCase(Locale.ROOT);
        String total = pointer(s, p + "total-pointer", "/meta/total");
        Paginator paginator = switch (paging) {
            case "cursor" -> new CursorPaginator(s.get(p + "cursor-param", "cursor"), pointer(s, p + "next-cursor-pointer", "/meta/next_cursor"), null);
            case "cursor-header" -> new CursorPaginator(s.get(p + "cursor-param", "cursor"), null, s.get(p + "next-cursor-header", "X-Next-Cursor"));
            case "next-url" -> new NextUrlPaginator(url, pointer(s, p + "next-url-pointer", "/links/next"));
            case "link-header" -> new NextUrlPaginator(url, null);
            case "keyset" -> new KeysetPaginator(s.get(p + "starting-after-param", "starting_after"), pointer(s, p + "has-more-pointer", "/has_more"));
            // offset/page: a has-more flag and (offset) the next offset itself, read from the answer when set
            case "offset" -> new OffsetPaginator(false, s.get(p + "offset-param", "offset"), 0, total, null,
                    optionalPointer(s, p + "has-more-pointer"), optionalPointer(s, p + "next-offset-pointer"));
            case "page" -> new OffsetPaginator(true, s.get(p + "page-param", "page"), s.getInt(p + "first-page", 1, 0, 1),
                    total, pointer(s, p + "total-pages-pointer", "/meta/total_pages"), optionalPointer(s, p + "has-more-pointer"), null);
            default -> throw s.invalid(p + "paging", paging, "must be one of " + KINDS);
        };
        String defaultSizeParam = paging.equals("page") ? "per_page" : "limit";
        // set empty: the page size is not sent (the API's default applies)
        String pageSizeParam = s.getAllowingEmpty(p + "page-size-param", defaultSizeParam);
        return new SourceSettings(name, url, method, pageSize, pageSizeParam,
                pointerOrEmpty(s, p + "records-pointer", "/data"), pointerOrEmpty(s, p + "fields-pointer", ""),
                total, pointer(s, p + "id-pointer", "/id"),
                s.get(p + "api-key-header", "X-API-Key"), s.get(p + "api-key-prefix", ""),
                s.get(p + "api-key-env", "LEADPIPE_API_KEY"), s.get(p + "api-key-file"),
                s.getInt(p + "max-requests-per-second", 50, 1, 100_000), paging, paginator,
                // pages of one job in flight at once (offset and page paging with a total; others fetch one at a time)
                s.getInt(p + "concurrency", 1, 1, 64));
    }

    private static String pointer(Settings s, String key, String def) {
        String v = s.get(key, def);
        String problem = pointerProblem(v);
        if (problem != null) throw s.invalid(key, v, problem);
        return v;
    }

    /** A pointer only some APIs have: null when not set. */
    private static String optionalPointer(Settings s, String key) {
        return s.get(key) == null ? null : pointer(s, key, null);
    }

    /** A pointer that may be set empty: RFC 6901's "" is the whole document (records: the body; fields: the record). */
    private static String pointerOrEmpty(Settings s, String key, String def) {
        String v = s.getAllowingEmpty(key, def);
        return v.isEmpty() ? v : pointer(s, key, v);
    }

    /** Why a value is not a JSON pointer (RFC 6901), or null when it is one. */
    static String pointerProblem(String v) {
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
