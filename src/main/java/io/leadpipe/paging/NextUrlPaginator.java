package io.leadpipe.paging;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The answer names the next page's URL: in the body (absolute or relative to the source URL) or in Link: <…>; rel="next". */
final class NextUrlPaginator implements Paginator {
    private static final Pattern LINK = Pattern.compile("<([^>]*)>\\s*((?:;\\s*[^;,]+)*)");
    private final URI base;
    private final String bodyPointer; // null: use the Link header

    NextUrlPaginator(String sourceUrl, String bodyPointer) {
        // only the scheme, host and path resolve a relative link: the URL's own query (a SOQL WHERE, a delta's {since}) is not part of them
        this.base = URI.create(new SourceUrl(sourceUrl).endpoint());
        this.bodyPointer = bodyPointer;
    }

    @Override
    public Call call(String position) {
        return new Call(position, Map.of()); // the next URL already carries page size, filters and position
    }

    @Override
    public String next(String position, Page page) {
        String next = bodyPointer != null ? Paginator.text(page.body().at(bodyPointer), "the next-url pointer " + bodyPointer) : linkNext(page.headers().apply("Link"));
        if (next == null) return null;
        URI resolved = resolve(next.trim());
        // the API key goes with every request: never follow a link to another host with it
        if (!resolved.getScheme().equalsIgnoreCase(base.getScheme()) || !resolved.getHost().equalsIgnoreCase(base.getHost()) || resolved.getPort() != base.getPort()) {
            throw new MalformedPageException("the next-page link " + resolved.getScheme() + "://" + resolved.getHost() + ":" + resolved.getPort()
                    + " leaves the source's host " + base.getHost() + ":" + base.getPort() + "; not following it with the API key");
        }
        return resolved.toString();
    }

    /** The link as a URL we may call: well-formed, http(s), with a host and without user info. */
    private URI resolve(String link) {
        URI resolved;
        try {
            resolved = base.resolve(new URI(link));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw malformed(link, "is not a valid URL (" + (e instanceof URISyntaxException u ? u.getReason() + " at index " + u.getIndex() : e.getMessage()) + ")");
        }
        if (resolved.getScheme() == null || !(resolved.getScheme().equalsIgnoreCase("http") || resolved.getScheme().equalsIgnoreCase("https"))) {
            throw malformed(link, "is not an http(s) URL");
        }
        if (resolved.getHost() == null) throw malformed(link, "names no host");
        if (resolved.getRawUserInfo() != null) throw malformed(link, "carries a user name or password; not following it with the API key");
        return resolved;
    }

    private static MalformedPageException malformed(String link, String why) {
        String shown = link.length() > 200 ? link.substring(0, 200) + "…" : link;
        return new MalformedPageException("the API's next-page link '" + shown + "' " + why);
    }

    /** The rel="next" target of a Link header (RFC 8288); several links may share one header. */
    static String linkNext(String header) {
        if (header == null) return null;
        Matcher m = LINK.matcher(header);
        while (m.find()) {
            for (String param : m.group(2).split(";")) {
                String p = param.trim().toLowerCase(java.util.Locale.ROOT).replace(" ", "");
                if (p.startsWith("rel=")) {
                    String rel = p.substring(4).replace("\"", "");
                    for (String r : rel.split("\\s+")) if (r.equals("next")) return m.group(1);
                }
            }
        }
        return null;
    }
}
