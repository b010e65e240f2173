package io.leadpipe.delta;

import io.leadpipe.testing.SourceRecords;
import io.leadpipe.auth.TokenSchemesTest;
import io.leadpipe.testing.VendorFake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadpipe.config.Settings;
import io.leadpipe.delta.DeltaRequest;
import io.leadpipe.delta.DeltaSpec;
import io.leadpipe.delta.UpdatedAt;
import io.leadpipe.encoding.QueryEncoding;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each ready profile's delta dialect against its vendor's fake, one request each, without a pull: the first page
 * of a full query holds every record; after edits, additions and deletions at the source, the delta request the
 * profile describes (watermark = the largest updated-at of the full page) holds exactly the changed and new
 * records — or, where the vendor has no filter, everything again. A second test sends the delta in a wrong
 * dialect and sees the vendor's answer: nothing, or an error.
 */
class DeltaDialectsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static Settings settings(String vendor, String url) {
        Map<String, String> m = new java.util.HashMap<>(Map.of("leadpipe.sources", vendor, "leadpipe.source." + vendor + ".profile", vendor,
                "leadpipe.source." + vendor + ".url", url));
        if (vendor.equals("zoho")) m.put("leadpipe.source.zoho.auth", "api-key"); // a minted token: the fake takes one key (TokenSchemesTest renews)
        return Settings.load(Path.of("application.properties"), null, m, Map.of(), new Properties());
    }

    private static String authValue(String vendor) {
        return switch (vendor) {
            case "zoho" -> "Zoho-oauthtoken " + DeltaFakes.KEY;
            case "klaviyo" -> "Klaviyo-API-Key " + DeltaFakes.KEY;
            case "freshsales" -> "Token token=" + DeltaFakes.KEY;
            case "pipedrive-v2", "apollo", "copper" -> DeltaFakes.KEY;
            default -> "Bearer " + DeltaFakes.KEY;
        };
    }

    private static String authHeader(String vendor) {
        return switch (vendor) {
            case "pipedrive-v2" -> "x-api-token";
            case "apollo" -> "x-api-key";
            case "copper" -> "X-PW-AccessToken";
            default -> "Authorization";
        };
    }

    /** Sends the request as the profile says (method, static headers, page size) and returns status and body. */
    private static HttpResponse<String> send(Settings s, String vendor, DeltaRequest r) throws Exception {
        String p = "leadpipe.source." + vendor + ".";
        String url = r.url();
        StringBuilder q = new StringBuilder();
        String sizeParam = s.get(p + "page-size-param");
        boolean post = "POST".equals(s.get(p + "method"));
        var body = r.body() == null ? JSON.createObjectNode() : r.body();
        if (post && sizeParam != null) body.put(sizeParam, 100);
        else if (sizeParam != null) q.append(QueryEncoding.encode(sizeParam)).append('=').append("1000");
        r.params().forEach((k, v) -> q.append(q.length() == 0 ? "" : "&").append(QueryEncoding.encode(k)).append('=').append(QueryEncoding.encode(v)));
        if (q.length() > 0) url += (url.contains("?") ? "&" : "?") + q;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header(authHeader(vendor), authValue(vendor));
        for (String key : s.asProperties().stringPropertyNames()) {
            if (key.startsWith(p + "header.")) b.header(key.substring((p + "header.").length()), s.get(key));
        }
        r.headers().forEach(b::header);
        b = post ? b.POST(HttpRequest.BodyPublishers.ofString(body.toString())).header("Content-Type", "application/json") : b.GET();
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> ids(Settings s, String vendor, HttpResponse<String> answer) throws Exception {
        if (answer.statusCode() == 304) return List.of();
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(answer.body());
        String records = s.getAllowingEmpty("leadpipe.source." + vendor + ".records-pointer", "/data");
        List<String> ids = new ArrayList<>();
        for (JsonNode r : records.isEmpty() ? body : body.at(records)) ids.add(r.at(s.get("leadpipe.source." + vendor + ".id-pointer")).asText());
        return ids;
    }

    private static Instant largestUpdatedAt(DeltaSpec d, HttpResponse<String> answer, Settings s, String vendor) throws Exception {
        Instant max = null;
        for (JsonNode r : records(answer, s, vendor)) max = UpdatedAt.later(max, UpdatedAt.parse(r.at(d.updatedAtPointer())));
        return max;
    }

    private static JsonNode records(HttpResponse<String> answer, Settings s, String vendor) throws Exception {
        JsonNode body = JSON.readTree(answer.body());
        String records = s.getAllowingEmpty("leadpipe.source." + vendor + ".records-pointer", "/data");
        return records.isEmpty() ? body : body.at(records);
    }

    /** Records updated exactly at the watermark: an inclusive filter (GTE, >=, a range) reads them again, as it should. */
    private static List<String> atTheWatermark(DeltaSpec d, HttpResponse<String> answer, Settings s, String vendor, Instant watermark) throws Exception {
        List<String> ids = new ArrayList<>();
        for (JsonNode r : records(answer, s, vendor)) {
            if (watermark.equals(UpdatedAt.parse(r.at(d.updatedAtPointer())))) ids.add(r.at(s.get("leadpipe.source." + vendor + ".id-pointer")).asText());
        }
        return ids;
    }

    private static void exactlyTheChanges(String what, List<String> delta, TreeSet<String> expected, List<String> boundary) {
        TreeSet<String> got = new TreeSet<>(delta);
        assertThat(got).as(what).containsAll(expected);
        got.removeAll(expected);
        assertThat(got).as(what + ": nothing else but what sits at the watermark").isSubsetOf(boundary);
    }

    @ParameterizedTest
    @ValueSource(strings = {"github", "hubspot", "hubspot-search", "stripe", "salesforce", "pipedrive-v2", "apollo", "outreach", "zoho",
            "dataverse", "salesloft", "copper", "klaviyo", "freshsales"})
    void theProfilesDeltaFetchesWhatChangedAndNothingElse(String vendor) throws Exception {
        SourceRecords data = new SourceRecords(60, DeltaFakes.ids(vendor), Duration.ZERO);
        try (VendorFake fake = DeltaFakes.of(vendor, data)) {
            String url = DeltaFakes.url(fake, vendor);
            Settings s = settings(vendor, url);
            DeltaSpec d = DeltaSpec.from(s, vendor);
            DeltaRequest request = new DeltaRequest(url, Map.of(), Map.of(), null);
            HttpResponse<String> full = send(s, vendor, request.since(d, null));
            assertThat(ids(s, vendor, full)).as("the full pull").hasSize(60);
            Instant watermark = d.fromData() ? largestUpdatedAt(d, full, s, vendor) : Instant.now();
            List<String> boundary = d.fromData() ? atTheWatermark(d, full, s, vendor, watermark) : List.of();

            List<String> changed = data.change(5);
            List<String> added = data.add(3);
            List<String> deleted = data.delete(2);
            List<String> delta = ids(s, vendor, send(s, vendor, request.since(d, watermark)));
            if (!d.filters()) {
                assertThat(delta).as(vendor + " has no delta filter: everything live again").hasSize(60 + 3 - 2);
            } else if (d.covers() == DeltaSpec.Covers.CREATED) {
                exactlyTheChanges(vendor + ": new records only", delta, new TreeSet<>(added), boundary);
            } else {
                TreeSet<String> expected = new TreeSet<>(changed);
                expected.addAll(added);
                if (d.deletedPointer() != null) expected.addAll(deleted); // listed with their deleted flag (queryAll)
                exactlyTheChanges(vendor + ": exactly what changed", delta, expected, boundary);
            }
            if (d.deletedParam() != null) {
                int eq = d.deletedParam().indexOf('=');
                DeltaRequest archived = new DeltaRequest(url, Map.of(d.deletedParam().substring(0, eq), d.deletedParam().substring(eq + 1)), Map.of(), null);
                assertThat(new TreeSet<>(ids(s, vendor, send(s, vendor, archived)))).as(vendor + ": the deleted ones, listed apart").isEqualTo(new TreeSet<>(deleted));
            }
        }
    }

    /** The old way — ?<param>=<bare ISO timestamp> — against vendors that want another dialect: never the changes. */
    @ParameterizedTest
    @ValueSource(strings = {"outreach", "stripe", "zoho", "salesforce"})
    void aBareTimestampInTheWrongPlaceFindsNothingOrIsRefused(String vendor) throws Exception {
        SourceRecords data = new SourceRecords(20, DeltaFakes.ids(vendor), Duration.ZERO);
        try (VendorFake fake = DeltaFakes.of(vendor, data)) {
            String url = DeltaFakes.url(fake, vendor).replace("{since}", "2020-01-01T00:00:00Z");
            Settings s = settings(vendor, DeltaFakes.url(fake, vendor));
            Instant before = Instant.now().minusSeconds(1);
            data.change(3);
            String param = switch (vendor) {
                case "outreach" -> "filter[updatedAt]";
                case "stripe" -> "created[gte]";
                default -> "updated_since";
            };
            HttpResponse<String> answer = send(s, vendor, new DeltaRequest(url, Map.of(param, before.toString()), Map.of(), null));
            if (vendor.equals("outreach")) assertThat(ids(s, vendor, answer)).as("an exact match on a bare timestamp").isEmpty();
            else if (vendor.equals("stripe")) assertThat(answer.statusCode()).as("created[gte] wants Unix seconds").isEqualTo(400);
            else assertThat(ids(s, vendor, answer)).as(vendor + " ignores an unknown parameter: everything, not the delta").hasSize(20);
        }
    }
}
