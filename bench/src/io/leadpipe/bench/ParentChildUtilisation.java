package io.leadpipe.bench;

import io.leadpipe.simulator.SimulatorConfig;
import io.leadpipe.simulator.SimulatorStats;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Quota utilisation of a parent → child job (routes/children.yaml) in the common scenario: the simulator answers
 * in 300 ms ± 50% and allows 10 requests per 1 s window (X-RateLimit headers); 200 companies (offset paging, 100
 * a page), each with 0–30 contacts (cursor paging, 10 a page), the contacts of up to 8 companies at once.
 * Counted as {@link QuotaUtilisation} counts it.
 */
final class ParentChildUtilisation {


    static final int LIMIT = 10;
    static final long WINDOW_MS = 1000;
    static final int CONCURRENCY = Integer.getInteger("bench.children.concurrency", 8);

    static void report() throws Exception {
        int parents = Scale.of(200, 10), contacts = Scale.of(30, 5);
        System.out.printf(Locale.ROOT, "### Parent → child utilisation (target ≥ 0.95, 0 avoidable 429s)%n%n"
                + "Simulator: %d ms ± 50%% latency, %d requests per %d ms window, X-RateLimit headers; %d companies (offset, 100 a page), "
                + "0–%d contacts each (cursor, 10 a page), contacts of %d companies at once (`leadpipe.source.contacts.concurrency`), floor 0.%n%n",
                ParallelPages.latencyMs(), LIMIT, WINDOW_MS, parents, contacts, CONCURRENCY);
        System.out.println("| parents | child leads | full windows | requests | utilisation | 429s | avoidable 429s | seconds | load average |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        try (BenchWorkspace ws = new BenchWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.rateLimit = LIMIT;
            c.rateWindowMillis = WINDOW_MS;
            c.latencyMillis = ParallelPages.latencyMs();
            c.latencyJitter = 0.5;
            c.companies = parents;
            c.maxContactsPerCompany = contacts;
            ws.simulator(c);
            String companies = ws.simulator.companiesUrl();
            ws.settings.put("leadpipe.sources", "leads-api,companies,contacts");
            ws.settings.put("leadpipe.source.companies.url", companies);
            ws.settings.put("leadpipe.source.companies.paging", "offset");
            ws.settings.put("leadpipe.source.companies.page-size", "100");
            ws.settings.put("leadpipe.source.contacts.url", companies);
            ws.settings.put("leadpipe.source.contacts.paging", "cursor");
            ws.settings.put("leadpipe.source.contacts.cursor-param", "after");
            ws.settings.put("leadpipe.source.contacts.records-pointer", "/results");
            ws.settings.put("leadpipe.source.contacts.next-cursor-pointer", "/paging/next/after");
            ws.settings.put("leadpipe.source.contacts.total-pointer", "/total");
            ws.settings.put("leadpipe.source.contacts.page-size", "10");
            ws.settings.put("leadpipe.source.contacts.concurrency", Integer.toString(CONCURRENCY));
            ws.settings.put("leadpipe.ratelimit.floor", "0");
            ws.settings.put("leadpipe.ratelimit.reset-margin-ms", "100");
            Path jobs = ws.dir.resolve("jobs.yaml");
            Files.writeString(jobs, """
                    - templatedRoute:
                        routeTemplateRef: extract-children
                        routeId: job-company-contacts
                        parameters:
                          - { name: jobId, value: company-contacts }
                          - { name: source, value: companies }
                          - { name: children, value: "/v1/companies/{id}/contacts" }
                          - { name: childSource, value: contacts }
                    """);
            ws.settings.put("camel.main.routes-include-pattern", BenchWorkspace.CORE_ROUTES + ",file:routes/children.yaml,file:" + jobs);

            long t0 = System.nanoTime();
            ws.run("run");
            double seconds = (System.nanoTime() - t0) / 1e9;

            SimulatorStats stats = ws.simulator.stats();
            List<SimulatorStats.RequestRecord> log = stats.requestLog();
            QuotaUtilisation.Windows counted = QuotaUtilisation.Windows.of(log, WINDOW_MS, LIMIT);
            System.err.println("parent → child: requests per window " + counted.served().values());
            // where the 429s fell (window, ms into it), to tell a penalty from a gap
            log.stream().filter(r -> r.status() == 429).forEach(r -> System.err.println("parent → child: 429 in window "
                    + (Math.floorDiv(r.arrivedMillis(), WINDOW_MS) - Math.floorDiv(log.get(0).arrivedMillis(), WINDOW_MS)) + " at +"
                    + Math.floorMod(r.arrivedMillis(), WINDOW_MS) + " ms, " + r.cursorKey()));
            double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            System.out.printf(Locale.ROOT, "| %d | %d | %d | %d | **%.3f** | %d | %d | %.1f | %.2f |%n%n", parents, ws.simulator.companies().allContactIds().size(),
                    counted.full(), log.size(), counted.utilisation(), stats.rateLimited(), stats.avoidableRateLimited(), seconds, load);
        }
    }
}
