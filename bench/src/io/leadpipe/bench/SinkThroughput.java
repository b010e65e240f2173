package io.leadpipe.bench;

import io.leadpipe.simulator.SimulatorConfig;

/** Leads delivered per second to the CRM simulator in batches of 100, against the CRM's own rate limit. */
final class SinkThroughput {

    record Result(int leads, double seconds, double leadsPerSecond, double allowedLeadsPerSecond, long crmRequests, long crm429) {}

    static final int CRM_LIMIT = 20;
    static final long CRM_WINDOW_MS = 2000;

    static Result run(int leads) throws Exception {
        try (BenchWorkspace ws = new BenchWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = leads;
            c.rateLimit = Integer.MAX_VALUE;
            c.crmRateLimit = CRM_LIMIT;
            c.crmRateWindowMillis = CRM_WINDOW_MS;
            c.enrichRateLimit = 1_000_000;
            c.crmApiKey = "crm-key";
            c.enrichApiKey = "enrich-key";
            ws.simulator(c);
            ws.settings.put("camel.management.enabled", "false");
            ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "100000");
            ws.settings.put("camel.main.routes-include-pattern", BenchWorkspace.CORE_ROUTES + ",file:routes/jobs.yaml");
            ws.settings.put("leadpipe.sink.crm.url", ws.simulator.crmUrl());
            ws.settings.put("leadpipe.sink.enrichment.url", ws.simulator.enrichUrl());
            ws.settings.put("leadpipe.sink.crm.max-requests-per-second", "1000");
            ws.settings.put("leadpipe.sink.enrichment.max-requests-per-second", "100000");
            ws.run("run");                       // extract first: only delivery is timed
            long t0 = System.nanoTime();
            ws.run("deliver");
            double s = (System.nanoTime() - t0) / 1e9;
            var crm = ws.simulator.crm();
            long delivered = crm.upsertsPerId().size();
            if (delivered != leads) throw new IllegalStateException("delivered " + delivered + " of " + leads);
            return new Result(leads, s, leads / s, CRM_LIMIT * 100.0 * 1000 / CRM_WINDOW_MS, crm.crmRequests(), 0);
        }
    }
}
