package io.leadpipe.bench;

import io.leadpipe.simulator.SimulatorConfig;

import java.util.Locale;

/**
 * Leads delivered per second to the CRM simulator in batches of 100, against the CRM's own rate limit,
 * with up to {@code concurrency} batches (and as many enrichment lookups) in flight. Two figures: wall-clock leads/s of the whole `deliver`
 * (start-up included) ÷ the leads/s the CRM allows, and the CRM quota used in the windows the delivery
 * covered fully (as for the pull's quota utilisation).
 */
final class SinkThroughput {

    record Result(String label, String concurrency, String floor, int leads, double seconds, double leadsPerSecond, double allowedLeadsPerSecond,
                  int fullWindows, double windowUtilisation, long crmRequests, long crmOverLimit, int maxInFlight) {
        String row() {
            return String.format(Locale.ROOT, "| %s | %s | %s | %,d | %.1f | **%,.0f** | **%.3f** | %d | %.3f | %d | %d | %d |",
                    label, concurrency, floor, leads, seconds, leadsPerSecond, leadsPerSecond / allowedLeadsPerSecond, fullWindows,
                    windowUtilisation, crmRequests, crmOverLimit, maxInFlight);
        }
    }

    static final int CRM_LIMIT = 20;

    static long crmWindowMs() {
        return Scale.of(2000L, 200L);
    }

    /**
     * @param concurrency batches (and enrichment lookups) in flight; null: leadpipe's defaults (the settings left unset)
     * @param floor null: the default leadpipe.ratelimit.floor
     */
    static Result run(String label, int leads, Integer concurrency, Long floor) throws Exception {
        try (BenchWorkspace ws = new BenchWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = leads;
            c.rateLimit = Integer.MAX_VALUE;
            c.crmRateLimit = CRM_LIMIT;
            c.crmRateWindowMillis = crmWindowMs();
            c.enrichRateLimit = 1_000_000;
            c.crmApiKey = "crm-key";
            c.enrichApiKey = "enrich-key";
            ws.simulator(c);
            ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "100000");
            ws.settings.put("camel.main.routes-include-pattern", BenchWorkspace.CORE_ROUTES + ",file:routes/jobs.yaml");
            ws.settings.put("leadpipe.sink.crm.url", ws.simulator.crmUrl());
            ws.settings.put("leadpipe.sink.enrichment.url", ws.simulator.enrichUrl());
            ws.settings.put("leadpipe.sink.crm.max-requests-per-second", "1000");
            ws.settings.put("leadpipe.sink.enrichment.max-requests-per-second", "100000");
            if (concurrency != null) {
                ws.settings.put("leadpipe.sink.crm.concurrency", Integer.toString(concurrency));
                ws.settings.put("leadpipe.sink.enrichment.concurrency", Integer.toString(concurrency));
            }
            if (floor != null) ws.settings.put("leadpipe.ratelimit.floor", Long.toString(floor));
            ws.run("run");                       // extract first: only delivery is timed
            long t0 = System.nanoTime();
            ws.run("deliver");
            double s = (System.nanoTime() - t0) / 1e9;
            var crm = ws.simulator.crm();
            long delivered = crm.upsertsPerId().size();
            if (delivered != leads) throw new IllegalStateException("delivered " + delivered + " of " + leads);
            if (crm.upsertsPerId().values().stream().anyMatch(n -> n != 1)) throw new IllegalStateException("a contact was upserted twice");

            QuotaUtilisation.Windows windows = QuotaUtilisation.Windows.ofServed(crm.crmServedAt(), crmWindowMs(), CRM_LIMIT);
            System.err.println(label + ": CRM requests per window " + windows.served().values());
            return new Result(label, concurrency == null ? "default" : concurrency.toString(), floor == null ? "default" : Long.toString(floor), leads, s, leads / s,
                    CRM_LIMIT * 100.0 * 1000 / crmWindowMs(), windows.full(), windows.utilisation(),
                    crm.crmRequests(), crm.crmOverLimit(), crm.crmMaxInFlight());
        }
    }
}
