package io.leadpipe.http;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.simulator.LeadsApiSimulator;
import io.leadpipe.simulator.SimulatorConfig;
import io.leadpipe.simulator.SimulatorStats.WireRequest;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A source URL with a query string of its own (Salesforce's {@code …/query?q=SELECT+Id+FROM+Lead}, HubSpot's
 * {@code ?archived=false}): every paging kind, by GET and by POST, keeps the URL's parameters (encoded once,
 * as written), replaces one that leadpipe sends itself instead of sending it twice, and sends the API key
 * with every request. An empty page-size-param sends no page size. One application, one simulator per source.
 */
class SourceUrlQueryTest {

    private static final int LEADS = 250; // 3 pages of 100
    private static final String OWN_QUERY = "archived=false&q=SELECT+Id+FROM+Lead";

    /** name → simulator kind, method, leadpipe kind, whether it sends a page size. */
    private record Source(String name, String simulatorKind, String method, String kind, boolean sendsSize) {
        String sizeParam() {
            return kind.equals("page") ? "per_page" : "limit";
        }

        boolean followsLinks() {
            return kind.equals("next-url") || kind.equals("link-header");
        }
    }

    private static final List<Source> SOURCES = List.of(
            new Source("cursor-get", "cursor", "GET", "cursor", true),
            new Source("cursor-header-get", "cursor-header", "GET", "cursor-header", true),
            new Source("next-url-get", "next-url", "GET", "next-url", true),
            new Source("link-header-get", "link-header", "GET", "link-header", true),
            new Source("keyset-get", "keyset", "GET", "keyset", true),
            new Source("offset-get", "offset", "GET", "offset", true),
            new Source("page-get", "page", "GET", "page", true),
            new Source("cursor-post", "cursor", "POST", "cursor", true),
            new Source("cursor-header-post", "cursor-header", "POST", "cursor-header", true),
            new Source("keyset-post", "keyset", "POST", "keyset", true),
            new Source("offset-post", "offset", "POST", "offset", true),
            new Source("page-post", "page", "POST", "page", true),
            new Source("offset-get-no-size", "offset", "GET", "offset", false),
            new Source("cursor-post-no-size", "cursor", "POST", "cursor", false));

    @Test
    void everyKindKeepsTheUrlsOwnQueryAndSendsTheKeyWithEveryRequest() throws Exception {
        Map<String, LeadsApiSimulator> apis = new LinkedHashMap<>();
        try (TestWorkspace ws = new TestWorkspace()) {
            StringBuilder jobs = new StringBuilder();
            List<String> names = new ArrayList<>();
            for (Source s : SOURCES) {
                SimulatorConfig c = new SimulatorConfig();
                c.leads = LEADS;
                c.paging = s.simulatorKind();
                c.method = s.method();
                c.apiKey = TestWorkspace.API_KEY;
                LeadsApiSimulator api = new LeadsApiSimulator(c).start();
                apis.put(s.name(), api);
                names.add(s.name());
                String p = "leadpipe.source." + s.name() + ".";
                // the URL names the page size itself too (7): leadpipe's own value replaces it, where it sends one
                String url = api.leadsUrl() + "?archived=false" + (s.sendsSize() ? "&" + s.sizeParam() + "=7" : "") + "&q=SELECT+Id+FROM+Lead";
                ws.settings.put(p + "url", url);
                ws.settings.put(p + "paging", s.kind());
                ws.settings.put(p + "method", s.method());
                ws.settings.put(p + "page-size-param", s.sendsSize() ? s.sizeParam() : "");
                ws.settings.put(p + "max-requests-per-second", "1000");
                jobs.append(TestWorkspace.job("job-" + s.name(), "", "source", s.name()));
            }
            ws.settings.put("leadpipe.sources", String.join(",", names));
            ws.jobs(jobs.toString());

            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");

            SoftAssertions soft = new SoftAssertions();
            soft.assertThat(run.exitCode()).as("exit code; output:\n%s%s", run.out(), run.err()).isZero();
            for (Source s : SOURCES) {
                LeadsApiSimulator api = apis.get(s.name());
                List<WireRequest> wire = api.stats().wireLog();
                soft.assertThat(ws.checkpoint("job-" + s.name())).as(s.name() + " checkpoint").isNotNull();
                if (ws.checkpoint("job-" + s.name()) != null) {
                    soft.assertThat(ws.checkpoint("job-" + s.name()).get("status")).as(s.name() + " status").isEqualTo("DONE");
                    soft.assertThat(((Number) ws.checkpoint("job-" + s.name()).get("lead_count")).longValue()).as(s.name() + " leads").isEqualTo(LEADS);
                }
                soft.assertThat(api.stats().pagesServedAgain()).as(s.name() + " pages served again").isZero();
                soft.assertThat(api.stats().unauthorized()).as(s.name() + " requests without the key").isZero();
                soft.assertThat(wire).as(s.name() + " requests").hasSize(3);
                for (int i = 0; i < wire.size(); i++) {
                    WireRequest r = wire.get(i);
                    String what = s.name() + " request " + (i + 1) + " (" + r.method() + " ?" + r.rawQuery() + " " + r.body() + ")";
                    soft.assertThat(r.headers().get("x-api-key")).as(what + ": the key").isEqualTo(TestWorkspace.API_KEY);
                    if (s.followsLinks() && i > 0) continue; // the API's own next link is followed as it is
                    Map<String, List<String>> q = params(r.rawQuery());
                    soft.assertThat(q.get("archived")).as(what + ": the URL's own parameter, once").containsExactly("false");
                    soft.assertThat(q.get("q")).as(what + ": encoded once, as written").containsExactly("SELECT+Id+FROM+Lead");
                    if (!s.sendsSize()) {
                        soft.assertThat(q).as(what + ": no page size").doesNotContainKey(s.sizeParam());
                        soft.assertThat(r.body()).as(what + ": no page size in the body").doesNotContain("\"" + s.sizeParam() + "\"");
                    } else if (s.method().equals("GET")) {
                        soft.assertThat(q.get(s.sizeParam())).as(what + ": the URL's page size replaced, not repeated").containsExactly("100");
                    } else {
                        soft.assertThat(r.rawQuery()).as(what + ": the URL's query, less the size the body now gives").isEqualTo(OWN_QUERY);
                        soft.assertThat(r.body()).as(what + ": the page size in the body").contains("\"" + s.sizeParam() + "\":100");
                    }
                }
            }
            soft.assertAll();
        } finally {
            apis.values().forEach(LeadsApiSimulator::close);
        }
    }

    /** Raw (still encoded) values by name. */
    private static Map<String, List<String>> params(String rawQuery) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        if (rawQuery == null) return m;
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            m.computeIfAbsent(eq < 0 ? pair : pair.substring(0, eq), k -> new ArrayList<>()).add(eq < 0 ? "" : pair.substring(eq + 1));
        }
        return m;
    }

    @Test
    void theSourceUrlIsSplitIntoItsEndpointAndItsOwnQuery() {
        io.leadpipe.paging.SourceUrl url = new io.leadpipe.paging.SourceUrl("https://api.example.com/query?q=SELECT+Id+FROM+Lead&limit=7&a%20b=c#top");
        assertThat(url.endpoint()).isEqualTo("https://api.example.com/query");
        Map<String, String> ours = new LinkedHashMap<>();
        ours.put("limit", "100");
        ours.put("cursor", "a b&c=d");
        ours.put("a b", "x");
        assertThat(url.query(ours)).isEqualTo("q=SELECT+Id+FROM+Lead&limit=100&cursor=a+b%26c%3Dd&a+b=x");
        assertThat(url.ownQuery(java.util.Set.of("limit"))).isEqualTo("q=SELECT+Id+FROM+Lead&a%20b=c");
        assertThat(new io.leadpipe.paging.SourceUrl("http://h/v1/leads").query(Map.of())).isEmpty();
    }
}
