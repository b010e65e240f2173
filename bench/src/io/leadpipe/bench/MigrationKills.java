package io.leadpipe.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Does a kill -9 during a schema migration ever brick the H2 database? `status` (which migrates) is started
 * on a copy of a database and SIGKILLed at a random point of its migration; then `status` runs again (and
 * `repair` if it fails). Two kinds of database, half the kills each: fresh (no file: every migration from
 * V1) and an upgrade (a database at V1 holding N leads: V2–V14 rewrite it, H2 copying the leads table for
 * each added column, V8 filling lead_jobs). The kill times are spread over the whole migration, measured
 * first by one run that is not killed. Counted: databases that open afterwards with every lead.
 */
final class MigrationKills {

    record Kind(String name, int kills, int opened, int openedOnlyAfterRepair, List<String> failures, double migrationSeconds) {}

    record Result(List<Kind> kinds, int leads, double seconds) {}

    static Result run(int kills, int leads) throws Exception {
        long t0 = System.nanoTime();
        List<Kind> kinds = new ArrayList<>();
        String only = System.getProperty("bench.only", ""); // "fresh" or "upgrade": that kind alone, with every kill
        int fresh = only.isEmpty() ? kills / 2 : kills, upgrade = only.isEmpty() ? kills - kills / 2 : kills;
        // a kind given no kill is not run at all (its calibration alone would prove nothing)
        if (!only.equals("upgrade") && fresh > 0) kinds.add(kind("fresh", fresh, 0));
        if (!only.equals("fresh") && upgrade > 0) kinds.add(kind("upgrade from V1", upgrade, leads));
        return new Result(kinds, leads, (System.nanoTime() - t0) / 1e9);
    }

    private static Kind kind(String name, int kills, int leads) throws Exception {
        try (BenchWorkspace ws = new BenchWorkspace()) {
            Path db = ws.dir.resolve("db");
            Path template = ws.dir.resolve("template");
            Files.createDirectories(template);
            String url = "jdbc:h2:file:" + db.resolve("leadpipe") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0";
            ws.settings.put("leadpipe.db.url", url);
            if (leads > 0) {
                String t = "jdbc:h2:file:" + template.resolve("leadpipe");
                org.flywaydb.core.Flyway.configure().dataSource(t, "sa", "").locations("classpath:db/migration").target("1").load().migrate();
                try (Connection c = DriverManager.getConnection(t, "sa", ""); Statement st = c.createStatement()) {
                    st.execute("INSERT INTO leads (lead_key, source, job_id, page_no, payload, fetched_at) SELECT 'L' || X, 'leads-api', 'all-leads', X / 100, "
                            + "'{\"id\":\"L' || X || '\",\"company\":\"Company ' || X || '\"}', CURRENT_TIMESTAMP FROM SYSTEM_RANGE(1, " + leads + ")");
                    st.execute("SHUTDOWN");
                }
            }
            long start = System.nanoTime();
            fresh(db, template);
            Process calibrate = ProcessRun.start(ws, ws.dir.resolve("calibrate.log"), List.of("-Xmx512m"), "status");
            if (calibrate.waitFor() != 0) throw new IllegalStateException("status without a kill failed: " + Files.readString(ws.dir.resolve("calibrate.log")));
            double migration = (System.nanoTime() - start) / 1e9;
            Random random = new Random(2026);
            int opened = 0, afterRepair = 0;
            List<String> failures = new ArrayList<>();
            for (int k = 1; k <= kills; k++) {
                fresh(db, template);
                Path log = ws.dir.resolve(name.charAt(0) + "-" + k + ".log");
                Process p = ProcessRun.start(ws, log, List.of("-Xmx512m"), "status");
                long at = (long) (migration * 1000 * (0.25 + 0.85 * random.nextDouble()));
                Thread.sleep(at);
                ProcessRun.kill9(p);
                Process next = ProcessRun.start(ws, log, List.of("-Xmx512m"), "status");
                boolean ok = next.waitFor() == 0;
                if (!ok) {
                    Process repair = ProcessRun.start(ws, log, List.of("-Xmx512m"), "repair");
                    ok = repair.waitFor() == 0 && ProcessRun.start(ws, log, List.of("-Xmx512m"), "status").waitFor() == 0;
                    if (ok) afterRepair++;
                }
                String check = ok ? check(ws, url, leads) : "status and repair failed";
                if (check == null) opened++;
                else failures.add("kill " + k + " at " + at + " ms: " + check + " — " + lastLine(log));
                if (k % 10 == 0) System.err.printf("migration kills (%s): %d, %d open with every lead%n", name, k, opened);
            }
            return new Kind(name, kills, opened, afterRepair, failures, migration);
        }
    }

    /** Null when the database holds every lead (and lead_jobs every job's lead), no copy table and no failed migration. */
    private static String check(BenchWorkspace ws, String url, int leads) throws Exception {
        String password = Files.readString(ws.dir.resolve("db/.db-password")).trim();
        try (Connection c = DriverManager.getConnection(url, "sa", password); Statement st = c.createStatement()) {
            long stored = count(st, "SELECT COUNT(*) FROM leads");
            long linked = count(st, "SELECT COUNT(*) FROM lead_jobs");
            long copies = count(st, "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME LIKE '%!_COPY!_%' ESCAPE '!'");
            long failed = count(st, "SELECT COUNT(*) FROM \"flyway_schema_history\" WHERE NOT \"success\"");
            if (stored != leads || linked != leads) return stored + " leads and " + linked + " lead_jobs rows of " + leads;
            if (copies > 0 || failed > 0) return copies + " copy tables, " + failed + " failed migrations";
            return null;
        }
    }

    private static long count(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void fresh(Path db, Path template) throws Exception {
        if (Files.exists(db)) {
            try (var files = Files.list(db)) {
                for (Path f : files.toList()) Files.delete(f);
            }
        }
        Files.createDirectories(db);
        try (var files = Files.list(template)) {
            for (Path f : files.toList()) Files.copy(f, db.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String lastLine(Path log) throws Exception {
        List<String> lines = Files.readAllLines(log).stream().filter(l -> l.startsWith("leadpipe:")).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }
}
