package io.leadpipe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadpipe.config.Settings;
import io.leadpipe.simulator.SimulatorConfig;
import io.leadpipe.store.PullRepository;
import io.leadpipe.store.Database;
import io.leadpipe.store.LeadStore;
import io.leadpipe.store.NamedSql;
import io.leadpipe.store.PageKeys;
import io.leadpipe.store.PullIds;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import static io.leadpipe.store.NamedSql.values;

/**
 * leadpipe against a raw loop written here: java.net.http.HttpClient + Jackson + leadpipe's own statements
 * (LeadStore's, PullRepository's and PageKeys', not copies: they cannot drift apart), same simulator, page size and
 * database kind, each into a fresh H2 file. Runs alternate so both see the same machine noise. The raw loop
 * comes in variants that add leadpipe's guarantees one at a time, so what each costs is measured.
 */
final class PipelineOverhead {

    static final int LEADS = 200_000;
    static final int PAGE_SIZE = 100;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PAGE_REPOSITORY = "leadpipe-pages";

    /**
     * What the raw loop writes per page beside the leads' upsert and the checkpoint save: the lead_jobs rows
     * (which job saw each lead), the page key (Camel's idempotent repository's own insert), and whether the
     * page's statements commit together (one transaction per page) or each on its own.
     */
    record Raw(String label, boolean leadJobs, boolean pageKey, boolean transaction, boolean upsert) {}

    /** The raw loop of the target: the leads' upsert and the checkpoint, nothing else. */
    static final Raw RAW = new Raw("raw loop: upsert leads + save checkpoint", false, false, false, true);
    /**
     * leadpipe's guarantees added to the raw loop one at a time, then all together; and the one the raw loop
     * already has taken away (a plain INSERT: a page stored twice would fail on the key instead of changing nothing).
     */
    static final List<Raw> GUARANTEES = List.of(
            new Raw("− upsert by key (a plain INSERT)", false, false, false, false),
            new Raw("+ one transaction per page", false, false, true, true),
            new Raw("+ lead_jobs (which job saw each lead)", true, false, false, true),
            new Raw("+ page key (idempotent page)", false, true, false, true),
            new Raw("all three (what leadpipe writes)", true, true, true, true));

    /** The raw loop without the upsert: each lead inserted, as a loop that never stores a page twice would. */
    private static final NamedSql INSERT_LEAD = NamedSql.of("insert-lead", "INSERT INTO leads (source, lead_key, job_id, pull_id, page_no, payload, fetched_at) "
            + "VALUES (:source, :key, :job, :pullId, :page, :payload, CURRENT_TIMESTAMP)");

    /**
     * leadpipe with one of the guarantees it adds at the end of a run, or beside it, switched off by its setting:
     * what each costs leadpipe itself (the raw loop has none of them).
     */
    record Switched(String label, Map<String, String> settings) {}

    private static final Switched RECONCILIATION_OFF = new Switched("− deletion reconciliation", Map.of("leadpipe.incremental.reconcile-deletions", "false"));
    private static final Switched COMPACTION_OFF = new Switched("− compaction at the end", Map.of("leadpipe.db.compact-below-live-percent", "0"));
    private static final Switched HOUSEKEEPING_OFF = new Switched("− H2 housekeeping", Map.of("leadpipe.db.housekeeping-ms", "0"));

    static final List<Switched> SWITCHED_OFF = List.of(
            // leadpipe again, nothing off: a second leadpipe run in the round, at another place in its order
            new Switched("again, nothing off (the others' reference)", Map.of()),
            RECONCILIATION_OFF, COMPACTION_OFF, HOUSEKEEPING_OFF,
            // all three at once: set against the raw loop with leadpipe's three writes, what leadpipe costs beyond its guarantees
            allOff("− all three (reconciliation, compaction, housekeeping)", RECONCILIATION_OFF, COMPACTION_OFF, HOUSEKEEPING_OFF));

    /** The single switches' settings together. */
    private static Switched allOff(String label, Switched... each) {
        Map<String, String> all = new java.util.LinkedHashMap<>();
        for (Switched s : each) all.putAll(s.settings());
        return new Switched(label, Map.copyOf(all));
    }

    /** The raw loop that writes what leadpipe writes (GUARANTEES' last): set against SWITCHED_OFF's last. */
    static final Raw RAW_ALL_THREE = GUARANTEES.get(GUARANTEES.size() - 1);

    /**
     * @param cpuSeconds CPU time of this JVM during the run (leadpipe or the raw loop, and the simulator they both call)
     * @param jitSeconds the JVM's compilation time during the run (elapsed in its compiler threads: their CPU on a quiet machine)
     */
    record Run(String who, double seconds, double leadsPerSecond, double cpuSeconds, double jitSeconds) {}

    /**
     * Before a measured run: the garbage of the run before is collected now, not by GC threads during this run (whose
     * CPU the JVM's total would charge to it: the raw loop run right after leadpipe scored 1.6–2.8 × below its variants).
     */
    private static void settle() {
        System.gc();
    }

    private static double jitSeconds() {
        return java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime() / 1e3;
    }

    private static double cpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    static Run leadpipe(int leads) throws Exception {
        return leadpipe(leads, Map.of());
    }

    static Run leadpipe(int leads, Map<String, String> switchedOff) throws Exception {
        try (BenchWorkspace ws = new BenchWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = leads;
            c.rateLimit = Integer.MAX_VALUE;
            ws.simulator(c);
            ws.settings.put("leadpipe.source.leads-api.page-size", Integer.toString(PAGE_SIZE));
            ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "100000"); // unthrottled
            ws.settings.put("camel.main.routes-include-pattern", BenchWorkspace.CORE_ROUTES + ",file:routes/jobs.yaml");
            ws.settings.putAll(switchedOff);
            settle();
            long t0 = System.nanoTime();
            double cpu0 = cpuSeconds(), jit0 = jitSeconds();
            ws.run("run");
            double s = (System.nanoTime() - t0) / 1e9;
            return new Run("leadpipe", s, leads / s, cpuSeconds() - cpu0, jitSeconds() - jit0);
        }
    }

    static Run raw(int leads, Raw what) throws Exception {
        try (BenchWorkspace ws = new BenchWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = leads;
            c.rateLimit = Integer.MAX_VALUE;
            ws.simulator(c);
            Properties p = new Properties();
            Settings settings = Settings.load(null, null, Map.of("leadpipe.db.url", ws.settings.get("leadpipe.db.url"), "leadpipe.db.user", "sa"), Map.of(), p);
            settle();
            long t0 = System.nanoTime();
            double cpu0 = cpuSeconds(), jit0 = jitSeconds();
            long stored;
            try (Database db = Database.open(settings).migrate(); Connection conn = db.dataSource().getConnection()) {
                stored = rawLoop(conn, ws.simulator.leadsUrl(), what);
            }
            double s = (System.nanoTime() - t0) / 1e9;
            if (stored != leads) throw new IllegalStateException(what.label() + " stored " + stored + " of " + leads);
            return new Run(what.label(), s, leads / s, cpuSeconds() - cpu0, jitSeconds() - jit0);
        }
    }

    /** Fetch → parse → write, page after page, until the API has no next cursor: the leads stored. */
    private static long rawLoop(Connection conn, String leadsUrl, Raw what) throws Exception {
        boolean pg = conn.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres");
        NamedSql upsert = what.upsert() ? LeadStore.upsertLeadStatement(pg) : INSERT_LEAD, seen = LeadStore.leadSeenStatement(pg), save = PullRepository.saveStatement();
        NamedSql pageKey = PageKeys.addStatement(pg);
        try (PreparedStatement cp = conn.prepareStatement("INSERT INTO extraction_checkpoint (job_id, source, filters, filter_hash, page_no, lead_count, status, "
                + "pull_id, started_at, updated_at, lease_owner) VALUES ('raw', 'leads-api', '', '', 0, 0, 'RUNNING', 'pull', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'raw')")) {
            cp.executeUpdate();
        }
        conn.setAutoCommit(!what.transaction());
        HttpClient http = HttpClient.newHttpClient();
        // the job and pull ids leadpipe writes into every lead's rows (leads, lead_jobs, their indexes): the same bytes stored
        String job = "all-leads", pullId = PullIds.next();
        String cursor = null;
        int page = 0;
        long leads = 0;
        do {
            String url = leadsUrl + "?limit=" + PAGE_SIZE + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("X-API-Key", BenchWorkspace.KEY).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) throw new IllegalStateException("HTTP " + r.statusCode());
            JsonNode body = JSON.readTree(r.body());
            page++;
            try (PreparedStatement up = upsert.prepareBatch(conn); PreparedStatement jobs = what.leadJobs() ? seen.prepareBatch(conn) : null) {
                for (JsonNode rec : body.get("data")) {
                    Map<String, Object> row = values("source", "leads-api", "key", rec.get("id").asText(), "job", job, "pullId", pullId, "page", page, "payload", rec.toString());
                    upsert.addBatch(up, row);
                    if (jobs != null) seen.addBatch(jobs, row);
                    leads++;
                }
                up.executeBatch();
                if (jobs != null) jobs.executeBatch();
            }
            if (what.pageKey()) {
                // leadpipe's key: the pull id and the page's SHA-1
                if (pageKey.update(conn, values("processor", PAGE_REPOSITORY, "key", pullId + ":" + String.format(Locale.ROOT, "%040x", page))) != 1) {
                    throw new IllegalStateException("page " + page + "'s key was there already");
                }
            }
            JsonNode next = body.at("/meta/next_cursor");
            cursor = next.isNull() || next.isMissingNode() ? null : next.asText();
            OffsetDateTime now = OffsetDateTime.now();
            if (save.update(conn, values("job", "raw", "owner", "raw", "position", cursor, "page", page, "leads", leads, "apiTotalFirst", null,
                    "apiTotal", null, "requests", (long) page, "duplicatePages", 0, "seenTwice", 0, "now", now, "expires", now.plusMinutes(5))) != 1) {
                throw new IllegalStateException("the checkpoint row was not saved");
            }
            if (what.transaction()) conn.commit();
        } while (cursor != null);
        return leads;
    }
}
