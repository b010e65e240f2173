package io.leadpipe.delta;

import io.leadpipe.config.ConfigException;
import io.leadpipe.config.Settings;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A source's delta dialect from its settings: every vendor's form reads, and each bad key is one clear error naming it. */
class DeltaSpecTest {

    private static final Instant T = Instant.parse("2026-12-05T14:33:34Z");

    /** leads-api with these delta.* (and other source) settings. */
    static DeltaSpec spec(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put("leadpipe.source.leads-api." + kv[i], kv[i + 1]);
        return DeltaSpec.from(Settings.load(Path.of("application.properties"), null, m, Map.of(), new Properties()), "leads-api");
    }

    private static void refused(String message, String... kv) {
        assertThatThrownBy(() -> spec(kv)).isInstanceOf(ConfigException.class).hasMessageContaining(message);
    }

    @Test
    void noDeltaKeysIsUndeclared() {
        DeltaSpec d = spec();
        assertThat(d.declared()).isFalse();
        assertThat(d.filters()).isFalse();
        assertThat(d.overlap()).isEqualTo(Duration.ofSeconds(300));
        assertThat(d.describe()).contains("no delta declared");
    }

    @Test
    void anOutreachRange() {
        DeltaSpec d = spec("delta.in", "query", "delta.param", "filter[updatedAt]", "delta.template", "{since}..inf",
                "delta.updated-at-pointer", "/attributes/updatedAt", "delta.count-pointer", "/meta/count");
        assertThat(d.where()).isEqualTo(DeltaSpec.Where.QUERY);
        assertThat(d.name()).isEqualTo("filter[updatedAt]");
        assertThat(d.value(T)).isEqualTo("2026-12-05T14:33:34Z..inf");
        assertThat(d.fromData()).isTrue();
        assertThat(d.countPointer()).isEqualTo("/meta/count");
        assertThat(d.describe()).isEqualTo("query filter[updatedAt]={since}..inf (iso-8601)");
    }

    /** slices = auto asks for a range: the watermark's parameter below (inclusive), delta.until-param above (exclusive). */
    @Test
    void aRangeOnTwoParametersEachBoundLeftOutWhenOpen() {
        DeltaSpec d = spec("delta.in", "query", "delta.param", "created[gte]", "delta.until-param", "created[lt]", "delta.format", "epoch-seconds");
        assertThat(d.timeRange()).isTrue();
        assertThat(d.rangeFilter(T, T.plusSeconds(3600))).isEqualTo("created%5Bgte%5D=1796481214&created%5Blt%5D=1796484814");
        assertThat(d.rangeFilter(null, T)).isEqualTo("created%5Blt%5D=1796481214");
        assertThat(d.rangeFilter(T, null)).isEqualTo("created%5Bgte%5D=1796481214");
        assertThat(d.describe()).isEqualTo("query created[gte]={since}, up to created[lt] (exclusive) (epoch-seconds)");
        assertThat(spec("delta.in", "query", "delta.param", "updated_since").timeRange()).as("no upper bound").isFalse();
        refused("delta.until-param = 'before' is set but leadpipe.source.leads-api.delta.in is header: until-param is read only with in = query",
                "delta.in", "header", "delta.header", "If-Modified-Since", "delta.until-param", "before");
        refused("is the lower bound's parameter too", "delta.in", "query", "delta.param", "since", "delta.until-param", "since");
    }

    @Test
    void aZohoHeaderAndAHubSpotBodyFilterAndAStripeCreationFilter() {
        DeltaSpec zoho = spec("delta.in", "header", "delta.header", "If-Modified-Since", "delta.format", "iso-8601-offset");
        assertThat(zoho.value(T)).isEqualTo("2026-12-05T14:33:34+00:00");
        DeltaSpec hubspot = spec("method", "POST", "delta.in", "body", "delta.body-pointer", "/filterGroups/0/filters/-", "delta.format", "epoch-millis",
                "delta.template", "{\"propertyName\":\"lastmodifieddate\",\"operator\":\"GTE\",\"value\":\"{since}\"}");
        assertThat(hubspot.name()).isEqualTo("/filterGroups/0/filters/-");
        DeltaSpec stripe = spec("delta.in", "query", "delta.param", "created[gte]", "delta.format", "epoch-seconds", "delta.covers", "created");
        assertThat(stripe.covers()).isEqualTo(DeltaSpec.Covers.CREATED);
        assertThat(stripe.describe()).contains("new records only");
    }

    @Test
    void aSoqlPlaceholderAndNone() {
        DeltaSpec sf = spec("url", "https://x.my.salesforce.com/services/data/v60.0/queryAll?q=SELECT+Id+FROM+Contact+WHERE+SystemModstamp+%3E+{since}",
                "delta.in", "url", "delta.deleted-pointer", "/IsDeleted");
        assertThat(sf.where()).isEqualTo(DeltaSpec.Where.URL);
        assertThat(sf.deletedPointer()).isEqualTo("/IsDeleted");
        assertThat(sf.deletedValue()).isEqualTo("true");
        assertThat(sf.problem()).isNull();
        assertThat(spec("delta.in", "url").problem()).as("a one-off job may still use the source; an incremental one is refused")
                .contains("leadpipe.source.leads-api.url has no {since} in its query");
        DeltaSpec apollo = spec("delta.in", "none");
        assertThat(apollo.declared()).isTrue();
        assertThat(apollo.filters()).isFalse();
        assertThat(apollo.describe()).contains("every run is a full pull");
    }

    @Test
    void theOverlapIsTheSourcesOrTheGlobalOne() {
        assertThat(spec("delta.in", "none", "delta.overlap-seconds", "60").overlap()).isEqualTo(Duration.ofSeconds(60));
        Map<String, String> m = Map.of("leadpipe.incremental.overlap-seconds", "0", "leadpipe.source.leads-api.delta.in", "none");
        assertThat(DeltaSpec.from(Settings.load(Path.of("application.properties"), null, m, Map.of(), new Properties()), "leads-api").overlap()).isZero();
    }

    @Test
    void eachBadKeyIsOneErrorNamingIt() {
        refused("invalid setting leadpipe.source.leads-api.delta.in = 'params' must be one of none, query, header, body, url", "delta.in", "params");
        refused("delta.in = query needs leadpipe.source.leads-api.delta.param", "delta.in", "query");
        refused("delta.in = header needs leadpipe.source.leads-api.delta.header", "delta.in", "header");
        refused("delta.in = body needs leadpipe.source.leads-api.delta.body-pointer", "method", "POST", "delta.in", "body");
        refused("delta.header = 'If-Modified-Since' is set but leadpipe.source.leads-api.delta.in is query", "delta.in", "query", "delta.param", "since", "delta.header", "If-Modified-Since");
        refused("delta.param = 'since' is set but leadpipe.source.leads-api.delta.in is not set", "delta.param", "since");
        refused("method is not POST", "delta.in", "body", "delta.body-pointer", "/since");
        refused("delta.format = 'rfc3339' must be one of iso-8601, iso-8601-millis", "delta.in", "query", "delta.param", "since", "delta.format", "rfc3339");
        refused("delta.template = '>= now' must contain {since}", "delta.in", "query", "delta.param", "since", "delta.template", ">= now");
        refused("a text watermark needs quotes", "method", "POST", "delta.in", "body", "delta.body-pointer", "/f/-", "delta.template", "{\"value\":{since}}");
        refused("delta.covers = 'changed' must be updated", "delta.covers", "changed");
        refused("delta.deleted-param = 'archived' must be one name=value", "delta.deleted-param", "archived");
        refused("delta.updated-at-pointer = 'properties.lastmodifieddate' looks like a JSONPath", "delta.updated-at-pointer", "properties.lastmodifieddate");
        refused("delta.updated-at-pointer = 'updated_at' must be a JSON pointer", "delta.updated-at-pointer", "updated_at");
        refused("delta.count-pointer = '/a~2' is not a JSON pointer", "delta.count-pointer", "/a~2");
        refused("delta.deleted-pointer = '/items/-' cannot name the end of an array", "delta.deleted-pointer", "/items/-");
        refused("delta.overlap-seconds = '-5' must be between 0 and", "delta.overlap-seconds", "-5");
    }

    @Test
    void theFingerprintChangesWithWhatTheQueryReturns() {
        String a = spec("delta.in", "query", "delta.param", "since").fingerprint();
        assertThat(spec("delta.in", "query", "delta.param", "since").fingerprint()).isEqualTo(a);
        assertThat(spec("delta.in", "query", "delta.param", "updated_since").fingerprint()).isNotEqualTo(a);
        assertThat(spec("delta.in", "query", "delta.param", "since", "delta.template", "{since}..inf").fingerprint()).isNotEqualTo(a);
        assertThat(spec("delta.in", "query", "delta.param", "since", "delta.format", "date").fingerprint()).isNotEqualTo(a);
        // the overlap only re-reads: it does not change which records the query is about
        assertThat(spec("delta.in", "query", "delta.param", "since", "delta.overlap-seconds", "10").fingerprint()).isEqualTo(a);
    }

    @Test
    void theWatermarkComesFromTheDataElseTheClockLessTheOverlap() {
        Duration overlap = Duration.ofMinutes(5);
        Watermark data = Watermark.next(T, T.plusSeconds(3600), overlap);
        assertThat(data.origin()).isEqualTo(Watermark.Origin.DATA);
        assertThat(data.since()).isEqualTo(T.minus(overlap));
        assertThat(data.basis()).isEqualTo(T);
        Watermark clock = Watermark.next(null, T, overlap);
        assertThat(clock.origin()).isEqualTo(Watermark.Origin.CLOCK);
        assertThat(clock.since()).isEqualTo(T.minus(overlap));
        assertThat(Watermark.next(null, null, overlap)).as("nothing pulled yet: a full pull").isNull();
    }

    @Test
    void theWatermarkIsNeverLaterThanThePreviousPullsStart() {
        // a record edited while the previous pull ran, on a page it had read already, has an updated-at before
        // the largest one stored: only the pull's start is sure to be before it (and a future updated-at cannot
        // push the watermark past edits not made yet)
        Duration overlap = Duration.ofMinutes(5);
        Watermark w = Watermark.next(T.plusSeconds(55), T, overlap);
        assertThat(w.origin()).isEqualTo(Watermark.Origin.PULL_START);
        assertThat(w.since()).isEqualTo(T.minus(overlap));
        assertThat(Watermark.next(Instant.parse("3026-01-01T00:00:00Z"), T, overlap).since()).as("an updated-at a thousand years ahead").isEqualTo(T.minus(overlap));
    }

    /**
     * Both Pipedrive profiles declare the changes feed of deletions (deleted.*): a source of its own, <name>.deleted, on
     * the source's host, offset-paged, since_timestamp in the URL as YYYY-MM-DD HH:MM:SS (a first listing from the start
     * of time) from the latest update_time read, active_flag false = deleted, 30 days of history; its other keys (the
     * key's header) are the source's.
     */
    @Test
    void thePipedriveProfilesDeclareTheChangesFeedOfDeletionsOnTheSourcesHost() {
        for (String profile : java.util.List.of("pipedrive-v2", "pipedrive")) {
            Map<String, String> m = new HashMap<>();
            m.put("leadpipe.sources", "crm");
            m.put("leadpipe.source.crm.profile", profile);
            m.put("leadpipe.source.crm.url", "https://acme.pipedrive.com/api/" + (profile.equals("pipedrive") ? "v1" : "v2") + "/persons");
            Settings s = Settings.load(Path.of("application.properties"), null, m, Map.of(), new Properties());
            java.util.List<io.leadpipe.source.SourceSpec> specs = io.leadpipe.source.SourceSpec.readAll(s, Map.of("LEADPIPE_API_KEY", "k"));
            assertThat(specs).extracting(io.leadpipe.source.SourceSpec::name).as(profile).containsExactly("crm", "crm.deleted");
            io.leadpipe.source.SourceSpec feed = specs.get(1);
            assertThat(feed.paging().url()).isEqualTo("https://acme.pipedrive.com/api/v1/recents?items=person&since_timestamp={since}");
            assertThat(feed.paging().paging()).isEqualTo("offset");
            assertThat(feed.auth().credentialHeader()).isEqualTo("x-api-token");
            DeltaSpec d = feed.delta();
            assertThat(d.where()).isEqualTo(DeltaSpec.Where.URL);
            assertThat(d.problem()).isNull();
            assertThat(d.fromData()).as("the feed's next listing asks from the latest update_time it read, by Pipedrive's clock").isTrue();
            assertThat(d.updatedAtPointer()).isEqualTo("/data/update_time");
            assertThat(d.deletedPointer()).isEqualTo("/data/active_flag");
            assertThat(d.deletedValue()).isEqualTo("false");
            assertThat(d.historyDays()).isEqualTo(30);
            assertThat(DeltaRequest.get(feed.paging().url()).since(d, T).url()).endsWith("since_timestamp=2026-12-05+14%3A33%3A34");
            assertThat(DeltaRequest.get(feed.paging().url()).since(d, null).url()).endsWith("since_timestamp=1970-01-01+00%3A00%3A00");
            assertThat(specs.get(0).delta().deletedPointer()).as("the source's own records carry no flag").isNull();
            // one credential for both: a rotated refresh token or a token cache is the source's, not a second copy
            java.util.List<io.leadpipe.source.Sources.Resolved> resolved = io.leadpipe.source.Sources.resolve(specs,
                    new io.leadpipe.auth.SourceAuthFactory(Map.of("LEADPIPE_API_KEY", "k"), Duration.ofSeconds(5), Duration.ofSeconds(5)));
            assertThat(resolved.get(1).auth()).as("the feed calls with its source's credentials").isSameAs(resolved.get(0).auth());
        }
    }
}
