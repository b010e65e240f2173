package io.leadpipe.bench;

import io.leadpipe.simulator.SimulatorConfig;
import io.leadpipe.sink.fake.CrmFake;
import io.leadpipe.sink.fake.DataverseFake;
import io.leadpipe.sink.fake.HubSpotFake;
import io.leadpipe.sink.fake.PipedriveFake;
import io.leadpipe.sink.fake.SalesforceFake;
import io.leadpipe.sink.fake.ZohoFake;

import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Each CRM sink profile delivering to the fake of its vendor (src/test/java/io/leadpipe/sink/fake, written from the
 * vendor's docs; compiled into the harness by bench/run): the profile, the fake's URL and credentials, and leadpipe's
 * defaults otherwise (default floor and concurrency). The fake's window is its vendor's kind of window at a bench
 * scale — a day, or Dataverse's 5 minutes, is told to leadpipe as the fake's 2 s through the profile's own
 * {@code quota.SLOT.interval}. Share of the allowance: requests the fake served in the windows the delivery covered
 * fully ÷ (limit × those windows); the default floor keeps up to a tenth of a window, so 0.9 is its ceiling.
 */
final class CrmProfilesThroughput {

    /** One CRM under test: its profile, leads, limit (requests per 2 s window; the smoke's per window), leads per request, and leadpipe settings of the bench scale. */
    record Crm(String profile, int leads, int limit, double leadsPerRequest, Map<String, String> settings, String label) {
        Crm(String profile, int leads, int limit, double leadsPerRequest, Map<String, String> settings) {
            this(profile, leads, limit, leadsPerRequest, settings, profile);
        }
    }

    record Result(String profile, String margin, int leads, long records, int duplicates, long deadLetters, long requests, long overLimit,
                  int fullWindows, double share, double seconds, double leadsPerSecond, double allowedLeadsPerSecond) {
        String row() {
            return String.format(Locale.ROOT, "| %s | %s | %,d | %,d | %d | %d | %,d | %d | %d | **%.3f** | %.1f | **%,.0f** | %,.0f | %.3f |",
                    profile, margin, leads, records, duplicates, deadLetters, requests, overLimit, fullWindows, share, seconds, leadsPerSecond,
                    allowedLeadsPerSecond, leadsPerSecond / allowedLeadsPerSecond);
        }
    }

    /** -Dbench.sink.window-ms: each fake's window at another length (its limit scaled with it: the same allowance per second). */
    static long windowMs() {
        return Long.getLong("bench.sink.window-ms", Scale.of(2000L, 400L));
    }

    /** A CRM's limit per window of {@link #windowMs()}: its limit per 2 s scaled to the window's length. */
    static int limit(Crm crm) {
        return perWindow(crm.limit());
    }

    private static int perWindow(int per2s) {
        return Scale.smoke() ? per2s : (int) (per2s * windowMs() / 2000);
    }

    /** -Dbench.sink.leads: every row delivers this many leads (a longer window needs more to cover several). */
    static int leads(Crm crm) {
        return Integer.getInteger("bench.sink.leads", crm.leads());
    }

    /**
     * The CRMs, in the order of the table (the smoke runs the first). Allowances of about 100 leads/s (10 to 20 for a CRM
     * written lead by lead): the CRM's window, not this shared machine's CPU, bounds the delivery; a batch CRM's batch
     * is made smaller to that end, not its window, so the default floor keeps its tenth.
     */
    static List<Crm> crms() {
        String w = windowMs() + "ms";
        return List.of(
                // HubSpot tells its window's length (X-HubSpot-RateLimit-Interval-Milliseconds): nothing to scale
                new Crm("hubspot", Scale.of(3_000, 100), 20, 10, Map.of("leadpipe.sink.batch-size", "10")),
                // Sforce-Limit-Info: used/limit of a rolling 24 h, scaled to the fake's window
                new Crm("salesforce", Scale.of(3_000, 100), 10, 20, Map.of("leadpipe.sink.crm.quota.day.interval", w, "leadpipe.sink.batch-size", "20")),
                // a fixed 2-second window told in x-ratelimit-* headers, two calls a lead (search, then create)
                new Crm("pipedrive", Scale.of(400, 10), 40, 0.5, Map.of()),
                // x-ms-ratelimit-burst-remaining-xrm-requests of a 5-minute window (6,000 = 20 a second), scaled
                new Crm("dataverse", Scale.of(400, 10), 40, 1, Map.of("leadpipe.sink.crm.quota.window.interval", w, "leadpipe.sink.crm.quota.window.limit", String.valueOf(perWindow(40)))),
                // credits of a rolling 24 h, in no header: the profile's crm.quota.day.limit, counted by leadpipe, scaled
                new Crm("zoho", Scale.of(3_000, 100), Scale.of(20, 4), 5, Map.of("leadpipe.sink.batch-size", "5",
                        "leadpipe.sink.crm.quota.day.interval", w, "leadpipe.sink.crm.quota.day.limit", String.valueOf(perWindow(Scale.of(20, 4))))),
                // the profile before it declared Zoho's credits: 10 requests a second of leadpipe's own, nothing counted
                new Crm("zoho", Scale.of(3_000, 100), Scale.of(20, 4), 5, Map.of("leadpipe.sink.batch-size", "5",
                        "leadpipe.sink.crm.max-requests-per-second", "10", "leadpipe.sink.crm.quota.day.limit", "1000000000"), "zoho (10/s, credits not counted)"));
    }

    /** -Dbench.sink.window-margins: each row once per leadpipe.ratelimit.window-margin-ms (the fixed 250 ms before it was measured). */
    static List<String> margins() {
        return List.of(System.getProperty("bench.sink.window-margins", Scale.smoke() ? "measured" : "250,measured").split(","));
    }

    static void report() throws Exception {
        System.out.printf(Locale.ROOT, "### CRM sink profiles (target ≥ 0.9 of each CRM's allowance)%n%n"
                + "Each profile delivering the simulator's leads (enrichment on) to its vendor's fake, with the profile, a URL and credentials "
                + "alone (default floor, default concurrency); each fake's window is %d ms (HubSpot tells it; a day or Dataverse's 5 minutes "
                + "is told to leadpipe as %d ms through the profile's quota interval). Share: requests served in the windows the delivery covered "
                + "fully ÷ (limit × those windows); leads/s: wall-clock over the whole `deliver` (start-up included).%n%n", windowMs(), windowMs());
        System.out.println("| profile | window margin | leads | records | duplicates | dead letters | requests | 429s | full windows | share of allowance | seconds | leads/s | allowed leads/s | ÷ allowed |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        // -Dbench.sink.profiles=hubspot,zoho: only those rows
        List<String> only = List.of(System.getProperty("bench.sink.profiles", "").split(",")).stream().filter(p -> !p.isBlank()).toList();
        List<Scale.Row<Result>> rows = new java.util.ArrayList<>();
        for (Crm c : crms()) {
            if (!only.isEmpty() && !only.contains(c.profile())) continue;
            for (String m : margins()) {
                rows.add(() -> run(c, m.trim()));
                if (!c.label().equals(c.profile())) break; // a variant of the profile is the "before" of another change: once
            }
        }
        for (Scale.Row<Result> r : Scale.rows(rows)) System.out.println(r.run().row());
        System.out.println();
    }

    private static final Pattern DEAD = Pattern.compile("(\\d+) dead-lettered this run");

    static Result run(Crm crm, String margin) throws Exception {
        try (BenchWorkspace ws = new BenchWorkspace(); CrmFake fake = fake(crm.profile())) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = leads(crm);
            c.rateLimit = Integer.MAX_VALUE;
            c.enrichRateLimit = 1_000_000;
            c.enrichApiKey = "enrich-key";
            ws.simulator(c);
            fake.windowLimit = limit(crm);
            fake.windowMillis = windowMs();
            ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "100000");
            ws.settings.put("camel.main.routes-include-pattern", BenchWorkspace.CORE_ROUTES + ",file:routes/jobs.yaml");
            ws.settings.put("leadpipe.sink.enrichment.url", ws.simulator.enrichUrl());
            ws.settings.put("leadpipe.sink.enrichment.max-requests-per-second", "100000");
            ws.settings.put("leadpipe.sink.crm.profile", crm.profile());
            ws.settings.put("leadpipe.sink.crm.url", fake.url());
            if (fake instanceof DataverseFake d) {
                ws.settings.put("leadpipe.sink.crm.auth.token-url", d.tokenUrl());
                ws.settings.put("leadpipe.sink.crm.auth.client-id", DataverseFake.CLIENT_ID);
                ws.settings.put("leadpipe.sink.crm.auth.scope", "https://contoso.crm.dynamics.com/.default");
                java.nio.file.Path secret = ws.dir.resolve("client-secret");
                Files.writeString(secret, DataverseFake.CLIENT_SECRET);
                ws.settings.put("leadpipe.sink.crm.auth.client-secret-file", secret.toString());
            }
            ws.settings.putAll(crm.settings());
            ws.settings.put("leadpipe.ratelimit.window-margin-ms", margin);
            ws.run("run");                       // extract first: only delivery is timed
            long t0 = System.nanoTime();
            String out = ws.run("deliver");
            double s = (System.nanoTime() - t0) / 1e9;
            Matcher dead = DEAD.matcher(out);
            long deadLetters = dead.find() ? Long.parseLong(dead.group(1)) : -1;
            if (fake.records().size() + deadLetters != leads(crm)) {
                throw new IllegalStateException(crm.profile() + ": " + fake.records().size() + " records + " + deadLetters + " dead letters of " + leads(crm) + " leads");
            }
            if (fake.duplicates() != 0) throw new IllegalStateException(crm.profile() + ": " + fake.duplicates() + " duplicates");

            QuotaUtilisation.Windows windows = QuotaUtilisation.Windows.ofServed(fake.servedAt(), windowMs(), limit(crm));
            System.err.println(crm.label() + " (window margin " + margin + "): requests per window " + windows.served().values() + "; " + fake.counts());
            if (Boolean.getBoolean("bench.sink.gaps")) System.err.println(crm.label() + ": " + gaps(fake.servedAt()));
            return new Result(crm.label(), margin.equals("measured") ? "measured" : margin + " ms", leads(crm), fake.records().size(), fake.duplicates(),
                    deadLetters, fake.requests(), fake.overLimit() + fake.overConcurrency(),
                    windows.full(), windows.utilisation(), s, leads(crm) / s,
                    limit(crm) * crm.leadsPerRequest() * 1000 / windowMs());
        }
    }

    /** -Dbench.sink.gaps=true: where the CRM served nothing for longer than 300 ms (to set beside the log's pauses and rounds). */
    static String gaps(List<Long> servedAt) {
        java.time.format.DateTimeFormatter hms = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(java.time.ZoneOffset.UTC);
        StringBuilder b = new StringBuilder("gaps over 300 ms between requests served:");
        long idle = 0;
        for (int i = 1; i < servedAt.size(); i++) {
            long gap = servedAt.get(i) - servedAt.get(i - 1);
            if (gap <= 300) continue;
            idle += gap;
            b.append(' ').append(hms.format(java.time.Instant.ofEpochMilli(servedAt.get(i - 1)))).append("+").append(gap).append("ms(#").append(i).append(')');
        }
        return b.append("; ").append(idle).append(" ms in them of ").append(servedAt.get(servedAt.size() - 1) - servedAt.get(0)).append(" ms").toString();
    }

    private static CrmFake fake(String profile) throws java.io.IOException {
        String token = "crm-key"; // LEADPIPE_CRM_API_KEY in BenchWorkspace
        return switch (profile) {
            case "hubspot" -> new HubSpotFake(token);
            case "salesforce" -> new SalesforceFake(token);
            case "pipedrive" -> new PipedriveFake(token);
            case "dataverse" -> new DataverseFake(token);
            case "zoho" -> new ZohoFake(token);
            default -> throw new IllegalArgumentException(profile);
        };
    }
}
