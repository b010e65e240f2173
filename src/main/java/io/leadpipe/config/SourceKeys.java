package io.leadpipe.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every setting of one source ({@code leadpipe.source.<name>.<setting>}), declared once: its default, its
 * bounds and one line saying what it does. The spec builders read through {@link ApiKeys} with these
 * defaults, {@link KnownSettings} knows the keys from here, and docs/reference/configuration.md is
 * generated from here ({@code ConfigurationReference}).
 */
public final class SourceKeys {

    /** One setting: {@code min}/{@code max} bound a number (null: not a number). */
    public record Key(String name, String defaultValue, Long min, Long max, String doc) {
        public boolean numeric() {
            return min != null;
        }
    }

    /** The quota windows without a reset time: slot (its length unless told otherwise) × field. */
    public static final List<String> QUOTA_SLOTS = List.of("second", "minute", "hour", "day", "window");
    public static final List<String> QUOTA_FIELDS = List.of("limit-header", "remaining-header", "used-header", "used-pattern", "value-pattern", "limit", "interval-header", "interval");

    private static final Map<String, Key> KEYS = new LinkedHashMap<>();

    static {
        // where and how
        text("profile", "", "a ready profile (profiles/<name>.properties: github, hubspot, stripe, apollo, salesforce, pipedrive) or the path of your own; it sets the rest of the source's keys, your own settings win over it");
        text("url", "", "the list endpoint, http:// or https://; its own query parameters are kept");
        text("method", "GET", "GET with query parameters, or POST with the paging fields and filters in a JSON body");
        text("body", "", "POST only: the fixed part of the JSON body (one line of JSON); page size, position and filters are set on top of it");
        text("body-file", "", "POST only: the same, read from a file (set body or body-file, not both)");
        number("max-pages", "0", 0, Integer.MAX_VALUE, "the most pages the API serves per query (Apollo: 500); past it the job stops FAILED with what it stored. 0 = no such limit");
        number("max-results", "0", 0, Long.MAX_VALUE, "the most records the API serves per query whatever the page size (HubSpot search: 10,000). 0 = no such limit");
        text("cut.pointer", "", "a query past max-results is cut: the next window starts after the last record's value of this field (JSON pointer on the record; the body must sort by it ascending, HubSpot: /id); empty: the pull stops FAILED at the cap");
        text("cut.body-pointer", "", "cut, POST: where the window's filter goes in the body (/filterGroups/0/filters/- appends)");
        text("cut.param", "", "cut, GET: the query parameter carrying the window's filter");
        text("cut.template", "{last}", "cut: the filter sent, {last} = the last record's value (JSON in a body)");
        number("page-size", "100", 1, 100_000, "records asked for per page");
        text("page-size-param", "limit", "the page size's query parameter (per_page with page paging); set empty to send none (the API's default applies)");
        // where things sit in an answer (JSON pointers)
        text("records-pointer", "/data", "where the records array is (JSON pointer); empty: the body itself is the array");
        text("fields-pointer", "", "where a record's fields are inside it, stored as the lead (HubSpot: /properties); empty: the whole record");
        text("total-pointer", "/meta/total", "where the API's total count is");
        text("id-pointer", "/id", "where a record's id is, read from the whole record");
        // the key
        text("api-key-env", "LEADPIPE_API_KEY", "the environment variable holding the API key");
        text("api-key-file", "", "or a file whose first line is the key (wins over api-key-env)");
        text("api-key-header", "X-API-Key", "the header carrying the key");
        text("api-key-prefix", "", "a scheme written before the key, e.g. Bearer; empty for none");
        number("max-requests-per-second", "50", 1, 100_000, "client-side cap (Camel Throttler, shared by every job on the key); leave headroom below the API's own");
        // paging
        text("paging", "cursor", "pagination kind: cursor | cursor-header | next-url | link-header | keyset | offset | page");
        text("concurrency", "auto", "pages of one job in flight at once (offset/page paging with a total only): auto (as many as the quota's rate × the measured answer time × 1.5 need; 1 at a low answer time, at most max-concurrency) or 1-64; also the child lists of a parent → child job at once (auto: 1)");
        number("max-concurrency", "16", 1, 64, "concurrency = auto: the most pages of one job in flight (a kill re-fetches at most the pages in flight)");
        text("cursor-param", "cursor", "cursor: the request parameter carrying the cursor");
        text("next-cursor-pointer", "/meta/next_cursor", "cursor: where the next cursor is in the answer");
        text("next-cursor-header", "X-Next-Cursor", "cursor-header: the response header carrying the next cursor");
        text("next-url-pointer", "/links/next", "next-url: where the next page's URL is (absolute or relative); link-header reads Link: <...>; rel=\"next\"");
        text("starting-after-param", "starting_after", "keyset: the parameter carrying the last record's id");
        text("has-more-pointer", "/has_more", "keyset: the flag saying there is more; offset/page: when set and a boolean, it decides instead of the total");
        text("next-offset-pointer", "", "offset: the next offset as the answer names it, absent = the last page (Pipedrive's next_start); empty: computed");
        text("offset-param", "offset", "offset: the request parameter carrying the offset");
        text("page-param", "page", "page: the request parameter carrying the page number");
        number("first-page", "1", 0, 1, "page: the number of the first page (0 or 1)");
        text("total-pages-pointer", "/meta/total_pages", "page: where the total number of pages is");
        // quota headers
        text("headers.limit", "X-RateLimit-Limit", "the response header with the window's limit");
        text("headers.remaining", "X-RateLimit-Remaining", "the response header with the requests left in the window");
        text("headers.reset", "X-RateLimit-Reset", "the response header with the window's reset");
        text("headers.reset-format", "auto", "how the reset is written: auto | epoch-seconds | epoch-millis | delta-seconds | delta-seconds-up (seconds left, rounded up)");
        text("headers.ietf-limit", "RateLimit-Limit", "IETF draft: the limit header");
        text("headers.ietf-remaining", "RateLimit-Remaining", "IETF draft: the remaining header");
        text("headers.ietf-reset", "RateLimit-Reset", "IETF draft: the reset header (seconds)");
        text("headers.ietf-policy", "RateLimit-Policy", "IETF draft: the policy header");
        text("headers.ietf-ratelimit", "RateLimit", "IETF draft: the combined header");
        text("headers.retry-after", "Retry-After", "the header saying how long to wait after a 429");
        text("rate-limit-rules", "", "answers besides 429 that mean \"slow down\", separated by ;: status=CODE[,CODE] with header=NAME[:VALUE] and/or body=TEXT, and wait=reset | retry-after | DURATION");
        for (String slot : QUOTA_SLOTS) {
            String q = "quota." + slot + ".";
            String length = slot.equals("window") ? "its length from interval-header or interval" : "a " + slot + " unless interval says otherwise";
            text(q + "limit-header", "", "a quota window without a reset time (" + length + "): the header with its limit");
            text(q + "remaining-header", "", "the header with the requests left in the " + slot + " window");
            text(q + "used-header", "", "the header with the requests used (or used/limit in one value, read with used-pattern)");
            text(q + "used-pattern", "", "a regex whose groups `used` and `limit` (or 1 and 2) hold the numbers in used-header; empty: (\\d+)(?:/(\\d+))?");
            text(q + "value-pattern", "", "a regex whose group 1 holds the number in limit-header and remaining-header when they carry more (People Data Labs: 'minute': (\\d+)); empty: the whole value");
            text(q + "limit", "", "the window's limit when no header states it, from the vendor's docs (Dataverse: 6000 per 5 minutes); a header's wins");
            text(q + "interval-header", "", "the header with the window's length in milliseconds");
            text(q + "interval", "", "the window's length: 10s, 1m, 1h, 1d");
        }
        // auth (the sink APIs read the same under leadpipe.sink.crm|enrichment.)
        text("auth", "api-key", "api-key | bearer (the key as Authorization: Bearer) | basic | oauth2-client-credentials | oauth2-refresh-token | oauth2-jwt-bearer");
        text("auth.header", "", "bearer, oauth2-*: the header carrying the token; empty: Authorization (api-key: api-key-header; basic: always Authorization, RFC 7617)");
        text("auth.scheme", "", "bearer, oauth2-*: written before the token: Bearer (empty), Zoho-oauthtoken, token, or none (api-key: api-key-prefix)");
        text("auth.query-param", "", "api-key, bearer, oauth2-*: send the key or token as this query parameter instead of a header (e.g. access_token)");
        text("auth.user", "", "basic: the user; oauth2-jwt-bearer: what {user} stands for in auth.jwt.claims");
        text("auth.password-env", "", "basic: the variable holding the password (empty: LEADPIPE_<NAME>_PASSWORD)");
        text("auth.password-file", "", "basic: or a file whose first line is the password");
        text("auth.token-url", "", "oauth2-*: the token endpoint");
        text("auth.client-id", "", "oauth2-*: the client id (oauth2-jwt-bearer: optional, the default issuer)");
        text("auth.client-secret-env", "", "oauth2-*: the variable holding the client secret (empty: LEADPIPE_<NAME>_CLIENT_SECRET; oauth2-jwt-bearer sends one only when given)");
        text("auth.client-secret-file", "", "oauth2-*: or a file whose first line is the secret");
        text("auth.client-auth", "basic", "oauth2-*: basic (Authorization header) | body (client_id/client_secret form fields)");
        text("auth.scope", "", "oauth2-*: the scope asked for (oauth2-jwt-bearer: a scope claim)");
        text("auth.audience", "", "client credentials: the audience asked for; oauth2-jwt-bearer: the aud claim (empty: the token URL)");
        text("auth.extra-form", "", "oauth2-*: other form fields of every token request, name=value&name=value (Outreach's refresh grant: redirect_uri=…)");
        text("auth.refresh-token-env", "", "refresh token: the variable holding the token you authorised with (empty: LEADPIPE_<NAME>_REFRESH_TOKEN); rotated ones are kept in the database");
        text("auth.refresh-token-file", "", "refresh token: or a file whose first line is the token");
        text("auth.token-pointer", "/access_token", "oauth2-*: where the access token is in the token endpoint's answer (JSON pointer; ZoomInfo: /jwt)");
        number("auth.token-lifetime-seconds", "0", 0, 31_536_000, "oauth2-*: how long an access token lasts when the answer has no expires_in; 0: until the API refuses it");
        text("auth.follow-instance-url", "false", "oauth2-*: call the host the token answer names: true (instance_url, else api_domain), a JSON pointer into the answer, or false");
        text("auth.private-key-file", "", "oauth2-jwt-bearer: the RSA private key (PEM, PKCS#8: -----BEGIN PRIVATE KEY-----) that signs the assertion (RS256)");
        text("auth.private-key-env", "", "oauth2-jwt-bearer: or the variable holding it (empty: LEADPIPE_<NAME>_PRIVATE_KEY)");
        text("auth.jwt.issuer", "", "oauth2-jwt-bearer: the iss claim (empty: auth.client-id)");
        text("auth.jwt.subject", "", "oauth2-jwt-bearer: the sub claim (the user or service account the token is for); empty: none");
        text("auth.jwt.claims", "", "oauth2-jwt-bearer: other claims, name=value&name=value; {client-id} and {user} stand for those settings");
        number("auth.jwt.lifetime-seconds", "300", 10, 86_400, "oauth2-jwt-bearer: the assertion's exp, this long after iat (a new one for every token request)");
        text("auth.jwt.key-id", "", "oauth2-jwt-bearer: the kid header of the assertion; empty: none");
        text("auth.jwt.assertion-in", "form", "oauth2-jwt-bearer: form (RFC 7523: grant_type=…jwt-bearer&assertion=…) | header (Authorization: Bearer <assertion>, an empty POST: ZoomInfo)");
        number("auth.renew-before-seconds", "60", 0, 86_400, "renew an access token this long before it expires (at most a quarter of its lifetime)");
        // recurring syncs: how the API is asked for what changed since a watermark (DeltaSpec, in package delta)
        text("delta.in", "", "where the watermark goes: query | header | body | url ({since} in the URL's own query) | none (no such filter: a full pull each run); empty: not declared (the job's incremental parameter)");
        text("delta.param", "", "in = query: the parameter (updated_since, filter[updatedAt], created[gte])");
        text("delta.until-param", "", "in = query: the upper bound's parameter, exclusive (updated_before, created[lt]), written as delta.format: lets slices = auto cut a job by time");
        text("delta.header", "", "in = header: the header (If-Modified-Since)");
        text("delta.body-pointer", "", "in = body: the JSON pointer of the body field (/filterGroups/0/filters/- appends to an array)");
        text("delta.format", "iso-8601", "iso-8601 | iso-8601-millis | iso-8601-offset | epoch-seconds | epoch-millis | date | http-date | sql-datetime (2026-12-05 14:33:34, UTC); rounded down");
        text("delta.template", "{since}", "the value sent, {since} = the formatted watermark: {since}..inf, >= {since}, or JSON in a body");
        text("delta.updated-at-pointer", "", "the record's updated-at (JSON pointer on the record as sent): the next watermark is the largest stored; empty: the previous pull's start by our clock");
        text("delta.overlap-seconds", "", "how far before the watermark a delta looks again; empty: leadpipe.incremental.overlap-seconds");
        text("delta.covers", "updated", "updated (the filter finds changed records) | created (only new ones: said at start)");
        text("delta.deleted-pointer", "", "a record's deleted flag (/IsDeleted, /archived); empty: the API shows none on records");
        text("delta.deleted-value", "true", "the flag's value on a deleted record");
        text("delta.deleted-param", "", "name=value of a separate listing of deleted records (HubSpot archived=true)");
        text("delta.count-pointer", "", "the API's count of the records matching the delta query: a delta short of it is a GAP");
        number("delta.history-days", "0", 0, 36_500, "how far back the API answers a \"changed since\" query (Pipedrive's recents: 30 days); on a deletions feed, a sync longer ago than that is a full pull, reconciled. 0 = no such limit");
        text("deleted.url", "", "a feed of deletions at another endpoint (Pipedrive: /api/v1/recents?items=person…), a path on the source's host or a URL: a source of its own, <name>.deleted, "
                + "set by deleted.<key> (deleted.paging, deleted.delta.deleted-pointer, …), its other keys the source's; a sync pulls it once DONE and marks the leads it flags deleted");
    }

    /** Per-source request headers, one key per header (not in the table: the header name is part of the key). */
    public static final String HEADER = "header.";
    public static final String SECRET_HEADER = "secret-header.";

    private SourceKeys() {
    }

    private static void text(String name, String def, String doc) {
        KEYS.put(name, new Key(name, def, null, null, doc));
    }

    /** true or false (read with ApiKeys.flag). */
    private static void flag(String name, String def, String doc) {
        text(name, def, doc);
    }

    private static void number(String name, String def, long min, long max, String doc) {
        KEYS.put(name, new Key(name, def, min, max, doc));
    }

    /** The declared setting, or an IllegalArgumentException (a spec reading a key nobody declared is a bug). */
    public static Key key(String name) {
        Key k = KEYS.get(name);
        if (k == null) throw new IllegalArgumentException("undeclared source setting " + name + " (declare it in SourceKeys)");
        return k;
    }

    public static List<Key> all() {
        return List.copyOf(KEYS.values());
    }

    public static List<String> names() {
        return new ArrayList<>(KEYS.keySet());
    }

    /** The auth settings, which the sink APIs have too. */
    public static List<String> authNames() {
        return KEYS.keySet().stream().filter(n -> n.equals("auth") || n.startsWith("auth.")).toList();
    }
}
