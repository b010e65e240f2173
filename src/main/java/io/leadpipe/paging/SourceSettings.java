package io.leadpipe.paging;

import io.leadpipe.cli.Settings;

/** How one API is called and read: {@code leadpipe.source.<name>.*}. */
public record SourceSettings(String name, String url, int pageSize, String pageSizeParam, String cursorParam,
                             String recordsPointer, String nextCursorPointer, String totalPointer, String idPointer,
                             String apiKeyHeader, String apiKeyPrefix, String apiKeyEnv, String apiKeyFile,
                             int maxRequestsPerSecond) {

    public static SourceSettings from(Settings s, String name) {
        String p = "leadpipe.source." + name + ".";
        String url = s.get(p + "url");
        if (url == null) throw new io.leadpipe.cli.ConfigException("source '" + name + "' has no URL: set " + p + "url");
        if (!url.startsWith("http://") && !url.startsWith("https://")) throw s.invalid(p + "url", url, "must start with http:// or https://");
        return new SourceSettings(name, url,
                s.getInt(p + "page-size", 100, 1, 100_000),
                s.get(p + "page-size-param", "limit"),
                s.get(p + "cursor-param", "cursor"),
                pointer(s, p + "records-pointer", "/data"),
                pointer(s, p + "next-cursor-pointer", "/meta/next_cursor"),
                pointer(s, p + "total-pointer", "/meta/total"),
                pointer(s, p + "id-pointer", "/id"),
                s.get(p + "api-key-header", "X-API-Key"),
                s.get(p + "api-key-prefix", ""),
                s.get(p + "api-key-env", "LEADPIPE_API_KEY"),
                s.get(p + "api-key-file"),
                s.getInt(p + "max-requests-per-second", 50, 1, 100_000));
    }

    private static String pointer(Settings s, String key, String def) {
        String v = s.get(key, def);
        if (!v.startsWith("/")) throw s.invalid(key, v, "must be a JSON pointer starting with / (e.g. /data)");
        return v;
    }
}
