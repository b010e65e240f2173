package io.leadpipe.source;

import io.leadpipe.http.SourceAuth;
import io.leadpipe.paging.PageCodec;
import io.leadpipe.ratelimit.ApiQuota;
import org.apache.camel.component.http.HttpClientConfigurer;

/**
 * One source at run time: its spec, its credentials, its HTTP client (bean {@code #auth-<name>}: the
 * credentials, static headers and response limits added inside the client), its key's governor and
 * Throttler bucket, and its paging.
 */
public final class Source {

    private final SourceSpec spec;
    private final SourceAuth auth;
    private final HttpClientConfigurer client;
    private final ApiQuota quota;
    private final PageCodec paging;

    public Source(SourceSpec spec, SourceAuth auth, HttpClientConfigurer client, ApiQuota quota) {
        this.spec = spec;
        this.auth = auth;
        this.client = client;
        this.quota = quota;
        this.paging = new PageCodec(spec.paging()).withDelta(spec.delta());
    }

    public String name() {
        return spec.name();
    }

    public SourceSpec spec() {
        return spec;
    }

    public SourceAuth auth() {
        return auth;
    }

    /** The HTTP client configurer the route's call uses ({@code httpClientConfigurer=#auth-<name>}). */
    public HttpClientConfigurer client() {
        return client;
    }

    public ApiQuota quota() {
        return quota;
    }

    public PageCodec paging() {
        return paging;
    }

    @Override
    public String toString() {
        return "Source[" + name() + "]";
    }
}
