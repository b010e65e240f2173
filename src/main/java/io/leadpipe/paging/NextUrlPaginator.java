package io.leadpipe.paging;

import java.net.URI;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The answer names the next page's URL: in the body (absolute or relative to the source URL) or in Link: <…>; rel="next". */
final class NextUrlPaginator implements Paginator {
    private static final Pattern LINK = Pattern.compile("<([^>]*)>\\s*((?:;\\s*[^;,]+)*)");
    private final URI base;
    private final String bodyPointer; // null: use the Link header

    NextUrlPaginator(String sourceUrl, String bodyPointer) {
        this.base = URI.create(sourceUrl);
        this.bodyPointer = bodyPointer;
    }

    @Override
    public Call call(String position) {
        return new Call(position, Map.of()); // the next URL already carries page size, filters and position
    }

    @Override
    public String next(String position, Page page) {
        String next = bodyPointer != null ? Paginator.text(page.body().at(bodyPointer)) : linkNext(page.headers().apply("Link"));
        if (next == null) return null;
        URI resolved = base.resolve(next.trim());
        // the API key goes with every request: never follow a link to another host with it
        if (!resolved.getScheme().equalsIgnoreCase(base.getScheme()) || !resolved.getHost().equalsIgnoreCase(base.getHost()) || resolved.getPort() != base.getPort()) {
            throw new MalformedPageException("the next-page link " + resolved.getScheme() + "://" + resolved.getHost() + ":" + resolved.getPort()
                    + " leaves the source's host " + base.getHost() + ":" + base.getPort() + "; not following it with the API key");
        }
        return resolved.toString();
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
