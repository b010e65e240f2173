package io.leadpipe.bench;

import io.leadpipe.simulator.SimulatorConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * `bench/run growth` (issue 25): does the database stay the size of its data over months of syncs? The same list
 * pulled again and again (`reset` between pulls, one CLI run per pull, as a user runs it), and delta syncs with a
 * few percent of the leads changed before each; on H2 the file's size after each run, on PostgreSQL the rows each
 * re-pull rewrites (each a dead tuple until VACUUM, which is the operator's).
 */
final class StorageGrowth {

    /** The 1.5× bound of issue 25: the file after N runs ÷ after the first pull. */
    static final double TARGET = 1.5;

    static int leads() {
        return Integer.getInteger("bench.leads", Scale.of(10_000, 300));
    }

    static int runs() {
        return Integer.getInteger("bench.runs", Scale.of(30, 1));
    }

    /** Percent of the leads changed at the source before each delta sync. */
    static final int CHANGED_PERCENT = 3;

    record H2Run(String kind, int leads, long firstBytes, List<Long> sizes, double seconds) {
        double ratio() {
            return sizes.isEmpty() ? 1 : sizes.get(sizes.size() - 1) / (double) firstBytes;
        }

        double maxRatio() {
            return sizes.stream().mapToLong(Long::longValue).max().orElse(firstBytes) / (double) firstBytes;
        }
    }

    record PgRun(int leads, long firstBytes, List<long[]> perRepull, double seconds) {}

    static void report() throws Exception {
        int leads = leads();
        int runs = runs();
        H2Run repulls = h2(leads, runs, false);
        H2Run deltas = h2(leads, runs, true);
        System.out.printf(Locale.ROOT, "### Storage growth (target: the H2 file ≤ %.1f × its size after the first pull, after %d re-pulls and after %d delta syncs)%n%n"
                + "%,d leads from the simulator into a fresh H2 file, one CLI run per pull in this JVM (the database opened and closed each time, "
                + "as a user runs it); re-pulls: `reset all-leads` + `run`; delta syncs: an incremental job, %d%% of the leads changed at the source "
                + "before each `run`. Settings tried: %s.%n%n", TARGET, runs, runs, leads, CHANGED_PERCENT, Benchmarks.tried());
        System.out.println("| runs | bytes per stored lead after the first pull | file after the first pull (bytes) | file after the last run (bytes) | last ÷ first | largest ÷ first | seconds |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (H2Run r : List.of(repulls, deltas)) {
            System.out.printf(Locale.ROOT, "| %d %s | %,.0f | %,d | %,d | **%.2f** | %.2f | %.0f |%n", r.sizes().size(), r.kind(), r.firstBytes() / (double) r.leads(),
                    r.firstBytes(), r.sizes().isEmpty() ? r.firstBytes() : r.sizes().get(r.sizes().size() - 1), r.ratio(), r.maxRatio(), r.seconds());
        }
        System.out.println();
        for (H2Run r : List.of(repulls, deltas)) {
            StringBuilder b = new StringBuilder("File size over the " + r.kind() + " (MiB, after each run): " + String.format(Locale.ROOT, "%.2f", r.firstBytes() / 1048576.0));
            for (long s : r.sizes()) b.append(String.format(Locale.ROOT, " → %.2f", s / 1048576.0));
            System.out.println(b.append("\n"));
        }
        PgRun pg = postgres(leads, Math.min(runs, Scale.of(10, 1)));
        System.out.printf(Locale.ROOT, "PostgreSQL (embedded, autovacuum off for the tables measured): the same %,d leads pulled, then re-pulled; "
                + "rows each re-pull updated or deleted (pg_stat_user_tables n_tup_upd + n_tup_del: each leaves a dead tuple until VACUUM) "
                + "and the database's size (pg_database_size) after it. Database after the first pull: %,d bytes.%n%n", pg.leads(), pg.firstBytes());
        System.out.println("| re-pull | leads rows rewritten | lead_jobs rows rewritten | other tables' rows rewritten | dead tuples (all tables) | database (bytes) |");
        System.out.println("|---|---|---|---|---|---|");
        for (int i = 0; i < pg.perRepull().size(); i++) {
            long[] x = pg.perRepull().get(i);
            System.out.printf(Locale.ROOT, "| %d | %,d | %,d | %,d | %,d | %,d |%n", i + 1, x[0], x[1], x[2], x[3], x[4]);
        }
        System.out.printf(Locale.ROOT, "%n%.0f s on PostgreSQL.%n%n", pg.seconds());
    }

    private static H2Run h2(int leads, int runs, boolean delta) throws Exception {
        try (BenchWorkspace ws = new BenchWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = leads;
            c.rateLimit = Integer.MAX_VALUE;
            var sim = ws.simulator(c);
            pullSettings(ws, delta);
            long t0 = System.nanoTime();
            Path file = ws.dir.resolve("db/leadpipe.mv.db");
            ws.run("run");
            long first = Files.size(file);
            List<Long> sizes = new ArrayList<>();
            Random random = new Random(25);
            for (int i = 1; i <= runs; i++) {
                if (delta) {
                    int[] changed = new int[Math.max(1, leads * CHANGED_PERCENT / 100)];
                    for (int k = 0; k < changed.length; k++) changed[k] = random.nextInt(leads);
                    sim.dataset().touch(changed);
                } else {
                    ws.run("reset", "all-leads");
                }
                ws.run("run");
                sizes.add(Files.size(file));
            }
            return new H2Run(delta ? "delta syncs" : "re-pulls", leads, first, sizes, (System.nanoTime() - t0) / 1e9);
        }
    }

    private static void pullSettings(BenchWorkspace ws, boolean delta) throws Exception {
        ws.settings.put("leadpipe.source.leads-api.max-requests-per-second", "100000");
        ws.settings.put("leadpipe.progress.interval-ms", "600000");
        Path jobs = ws.dir.resolve("jobs.yaml");
        Files.writeString(jobs, "- templatedRoute:\n    routeTemplateRef: extract\n    routeId: job-all-leads\n    parameters:\n"
                + "      - { name: jobId, value: all-leads }\n      - { name: source, value: leads-api }\n      - { name: filters, value: \"\" }\n"
                + (delta ? "      - { name: incremental, value: updated_since }\n" : ""));
        ws.settings.put("camel.main.routes-include-pattern", BenchWorkspace.CORE_ROUTES + ",file:" + jobs);
        ws.settingsFromSystemProperties();
    }

    private static io.zonky.test.db.postgres.embedded.EmbeddedPostgres postgres;

    private static PgRun postgres(int leads, int repulls) throws Exception {
        if (postgres == null) postgres = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().start();
        try (Connection admin = postgres.getPostgresDatabase().getConnection(); Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS growth_bench");
            st.execute("CREATE DATABASE growth_bench");
        }
        String url = postgres.getJdbcUrl("postgres", "growth_bench");
        try (BenchWorkspace ws = new BenchWorkspace()) {
            SimulatorConfig c = new SimulatorConfig();
            c.leads = leads;
            c.rateLimit = Integer.MAX_VALUE;
            ws.simulator(c);
            pullSettings(ws, false);
            ws.settings.put("leadpipe.db.url", url);
            ws.settings.put("leadpipe.db.user", "postgres");
            long t0 = System.nanoTime();
            ws.run("run");
            List<long[]> per = new ArrayList<>();
            try (Connection db = java.sql.DriverManager.getConnection(url, "postgres", "")) {
                try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT relname FROM pg_stat_user_tables")) {
                    List<String> tables = new ArrayList<>();
                    while (rs.next()) tables.add(rs.getString(1));
                    // VACUUM is the operator's: off here, so that the dead tuples each re-pull leaves stay countable
                    for (String t : tables) db.createStatement().execute("ALTER TABLE \"" + t + "\" SET (autovacuum_enabled = false)");
                }
                long firstBytes = databaseSize(db);
                long[] before = rewritten(db);
                for (int i = 1; i <= repulls; i++) {
                    ws.run("reset", "all-leads");
                    ws.run("run");
                    long[] after = rewritten(db);
                    per.add(new long[]{after[0] - before[0], after[1] - before[1], after[2] - before[2], after[3], databaseSize(db)});
                    before = after;
                }
                return new PgRun(leads, firstBytes, per, (System.nanoTime() - t0) / 1e9);
            }
        }
    }

    /** Rows updated or deleted so far in leads, in lead_jobs, in the other tables; and the dead tuples of all of them now. */
    private static long[] rewritten(Connection db) throws Exception {
        // the closed run's backends report their counters as they exit: read until two readings agree
        long[] last = counters(db);
        for (int i = 0; i < 20; i++) {
            Thread.sleep(150);
            long[] now = counters(db);
            if (java.util.Arrays.equals(now, last)) return now;
            last = now;
        }
        return last;
    }

    private static long[] counters(Connection db) throws Exception {
        long[] x = new long[4];
        try (Statement st = db.createStatement()) {
            st.execute("SELECT pg_stat_clear_snapshot()"); // read the counters afresh, not this transaction's first look
            try (ResultSet rs = st.executeQuery("SELECT relname, n_tup_upd + n_tup_del, n_dead_tup FROM pg_stat_user_tables")) {
                while (rs.next()) {
                    String t = rs.getString(1);
                    x[t.equals("leads") ? 0 : t.equals("lead_jobs") ? 1 : 2] += rs.getLong(2);
                    x[3] += rs.getLong(3);
                }
            }
        }
        return x;
    }

    private static long databaseSize(Connection db) throws Exception {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_database_size(current_database())")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
