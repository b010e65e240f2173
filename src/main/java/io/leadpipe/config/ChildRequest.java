package io.leadpipe.config;

import io.leadpipe.encoding.QueryEncoding;

/**
 * A parent → child job's child request template, with {@code {id}} for the parent's id, in one of three forms:
 * <ul>
 *   <li>{@code /v1/companies/{id}/contacts} — a path: it replaces the child source URL's path;</li>
 *   <li>{@code {id}/contacts} — a relative path: appended to the child source URL's path;</li>
 *   <li>{@code company_id={id}} — a filter: sent with every child page (filters joined with {@code &}), the URL as configured.</li>
 * </ul>
 */
public final class ChildRequest {

    public static final String ID = "{id}";

    private final String template;
    private final boolean filter;

    private ChildRequest(String template, boolean filter) {
        this.template = template;
        this.filter = filter;
    }

    /** Reads a template; throws IllegalArgumentException saying what is wrong with it. */
    public static ChildRequest parse(String template) {
        String t = template == null ? "" : template.strip();
        if (!t.contains(ID)) throw new IllegalArgumentException("must contain " + ID + " where the parent's id goes, e.g. /companies/{id}/contacts or company_id={id}");
        if (t.contains("?") || t.contains("#") || t.contains("://")) {
            throw new IllegalArgumentException("must be a path (/companies/{id}/contacts, {id}/contacts) or a filter (company_id={id}), not a URL with a query");
        }
        boolean filter = !t.startsWith("/") && t.contains("=");
        if (filter) {
            for (String pair : t.split("&")) {
                if (pair.indexOf('=') <= 0) throw new IllegalArgumentException("a filter template is name=value pairs joined by &, e.g. company_id={id}");
            }
        }
        return new ChildRequest(t, filter);
    }

    /** The endpoint of a parent's child list: the source endpoint with the path filled in (unchanged for a filter template). */
    public String endpoint(String sourceEndpoint, String parentId) {
        if (filter) return sourceEndpoint;
        String path = template.replace(ID, QueryEncoding.pathSegment(parentId));
        if (path.startsWith("/")) return origin(sourceEndpoint) + path;
        return (sourceEndpoint.endsWith("/") ? sourceEndpoint : sourceEndpoint + "/") + path;
    }

    /** The child list's filters: the job's child filters, and for a filter template the parent's (form-encoded, as JobFilters keeps them). */
    public String filters(String childFilters, String parentId) {
        String base = childFilters == null ? "" : childFilters;
        if (!filter) return base;
        String own = template.replace(ID, QueryEncoding.encode(parentId));
        return base.isEmpty() ? own : base + "&" + own;
    }

    public boolean isFilter() {
        return filter;
    }

    @Override
    public String toString() {
        return template;
    }

    /** scheme://host[:port] of an endpoint, without path, query or fragment (also the host a feed of deletions' path is put on: DeletionFeeds). */
    static String origin(String endpoint) {
        int from = endpoint.indexOf("://");
        from = from < 0 ? 0 : from + 3;
        // a URL with no path may still carry a query (a key as ?api_token=) or a fragment: neither belongs to the host
        for (int i = from; i < endpoint.length(); i++) {
            char c = endpoint.charAt(i);
            if (c == '/' || c == '?' || c == '#') return endpoint.substring(0, i);
        }
        return endpoint;
    }
}
