package io.leadpipe.paging;

import io.leadpipe.config.ConfigException;
import io.leadpipe.config.JsonPointerSyntax;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadpipe.config.ApiKeys;
import io.leadpipe.config.Concurrency;
import io.leadpipe.config.SourceKeys;

import java.util.Locale;

/**
 * How one API is called and read, page by page: its URL and method, the paging kind and its pointers, the
 * page size, the fixed part of a POST body, the API's own caps per query (max-pages, max-results), and how a
 * query past max-results is cut ({@link QueryCut}; null: it is not).
 * Part of the source's {@code SourceSpec}; read from {@code leadpipe.source.<name>.*}.
 */
public record PagingSpec(String name, String url, String method, int pageSize, String pageSizeParam,
                         String recordsPointer, String fieldsPointer, String totalPointer, String idPointer,
                         String paging, Paginator paginator, int concurrency, boolean autoConcurrency, ObjectNode body, int maxPages, long maxResults,
                         QueryCut cut) {

    public static final String KINDS = "cursor, cursor-header, next-url, link-header, keyset, offset, page";

    public static PagingSpec read(String name, ApiKeys k) {
        // every pointer is checked, also those the chosen paging kind does not use, before any request
        k.under("").forEach((setting, value) -> {
            if (setting.endsWith("-pointer")) pointer(k, setting, value);
        });
        String url = k.text("url");
        if (url == null) throw k.missing("url", "has no URL");
        if (!url.startsWith("http://") && !url.startsWith("https://")) throw k.invalid("url", url, "must start with http:// or https://");
        // user:password@ is never sent (HttpClient refuses it, after every retry): refused here, the password not shown
        if (url.matches("(?s)https?://[^/?#]*@.*")) {
            String p = k.key("");
            throw new ConfigException("invalid setting " + k.key("url") + " = '" + url.replaceFirst("^(https?://)[^/?#]*@", "$1****@") + "': credentials in the URL"
                    + " (user:password@) are not sent; set " + p + "auth = basic, " + p + "auth.user, and the password in " + p + "auth.password-env or "
                    + p + "auth.password-file");
        }
        String method = k.text("method").toUpperCase(Locale.ROOT);
        if (!method.equals("GET") && !method.equals("POST")) throw k.invalid("method", method, "must be GET or POST");
        int pageSize = k.integer("page-size");
        String paging = k.text("paging").toLowerCase(Locale.ROOT);
        String total = pointer(k, "total-pointer");
        Paginator paginator = switch (paging) {
            case "cursor" -> new CursorPaginator(k.text("cursor-param"), pointer(k, "next-cursor-pointer"), null);
            case "cursor-header" -> new CursorPaginator(k.text("cursor-param"), null, k.text("next-cursor-header"));
            case "next-url" -> new NextUrlPaginator(url, pointer(k, "next-url-pointer"));
            case "link-header" -> new NextUrlPaginator(url, null);
            case "keyset" -> new KeysetPaginator(k.text("starting-after-param"), pointer(k, "has-more-pointer"));
            // offset/page: a has-more flag and (offset) the next offset itself, read from the answer when set
            case "offset" -> new OffsetPaginator(false, k.text("offset-param"), 0, total, null,
                    optionalPointer(k, "has-more-pointer"), optionalPointer(k, "next-offset-pointer"));
            case "page" -> new OffsetPaginator(true, k.text("page-param"), k.integer("first-page"),
                    total, pointer(k, "total-pages-pointer"), optionalPointer(k, "has-more-pointer"), null);
            default -> throw k.invalid("paging", paging, "must be one of " + KINDS);
        };
        // a number, or auto: then the most it may choose (max-concurrency)
        Concurrency concurrency = Concurrency.read(k.settings(), k.key("concurrency"), SourceKeys.key("concurrency").defaultValue(),
                k.key("max-concurrency"), Integer.parseInt(SourceKeys.key("max-concurrency").defaultValue()));
        // set empty: the page size is not sent (the API's default applies)
        String pageSizeParam = k.textAllowingEmpty("page-size-param", paging.equals("page") ? "per_page" : "limit");
        return new PagingSpec(name, url, method, pageSize, pageSizeParam,
                pointerOrEmpty(k, "records-pointer"), pointerOrEmpty(k, "fields-pointer"),
                total, pointer(k, "id-pointer"), paging, paginator,
                // pages of one job in flight at once (offset and page paging with a total; others fetch one at a time)
                concurrency.most(), concurrency.auto(), RequestBody.read(k, method), k.integer("max-pages"), k.number("max-results"),
                QueryCut.read(k, method, paging, k.number("max-results")));
    }

    /** Pages of one job in flight at once: the source's concurrency where positions are known ahead, else 1 (auto: the most). */
    public int pagesInFlight() {
        return paginator.plannable() ? concurrency : 1;
    }

    /** Child lists of a parent → child job pulled at once from this source: its concurrency as set (auto: 1). */
    public int childLists() {
        return autoConcurrency ? 1 : concurrency;
    }

    private static String pointer(ApiKeys k, String setting) {
        return pointer(k, setting, k.text(setting));
    }

    private static String pointer(ApiKeys k, String setting, String v) {
        String problem = JsonPointerSyntax.problem(v);
        if (problem != null) throw k.invalid(setting, v, problem);
        return v;
    }

    /** A pointer only some APIs have: null when not set. */
    private static String optionalPointer(ApiKeys k, String setting) {
        String v = k.optional(setting);
        return v == null ? null : pointer(k, setting, v);
    }

    /** A pointer that may be set empty: RFC 6901's "" is the whole document (records: the body; fields: the record). */
    private static String pointerOrEmpty(ApiKeys k, String setting) {
        String v = k.textAllowingEmpty(setting);
        return v.isEmpty() ? v : pointer(k, setting, v);
    }
}
