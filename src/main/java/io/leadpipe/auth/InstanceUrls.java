package io.leadpipe.auth;

import org.apache.camel.Exchange;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;

/**
 * For APIs whose provider names the host to call in its token answer (Salesforce's instance_url, with
 * {@code auth.follow-instance-url = true}): the call's URL keeps its path and query and takes the
 * instance's scheme, host and port. Other APIs' calls are left as they are.
 */
public final class InstanceUrls {

    private final Map<String, AccessTokens> following;

    InstanceUrls(Map<String, AccessTokens> following) {
        this.following = Map.copyOf(following);
    }

    /** The api-call kamelet's step before the call: rewrites variable callUrl for the API named by variable source. */
    public void rebase(Exchange exchange) throws IOException, URISyntaxException {
        if (following.isEmpty()) return;
        AccessTokens tokens = following.get(exchange.getVariable("source", String.class));
        if (tokens == null) return;
        String instance = tokens.instanceUrl();
        if (instance == null) return;
        exchange.setVariable("callUrl", rebase(exchange.getVariable("callUrl", String.class), instance));
    }

    static String rebase(String url, String instance) throws URISyntaxException {
        URI u = new URI(url);
        URI i = new URI(instance);
        return new URI(i.getScheme(), u.getRawUserInfo(), i.getHost(), i.getPort(), null, null, null).toString()
                + (u.getRawPath() == null ? "" : u.getRawPath()) + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    }
}
