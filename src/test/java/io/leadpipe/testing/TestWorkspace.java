package io.leadpipe.testing;

import io.leadpipe.LeadpipeWiring;

import io.leadpipe.cli.LeadpipeCli;

import io.leadpipe.simulator.LeadDataset;
import io.leadpipe.simulator.LeadsApiSimulator;
import io.leadpipe.simulator.SimulatorConfig;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * One test's world: a temp directory with its own H2 file and settings, and (optionally) a simulator on
 * loopback. Runs the real CLI in-process, or as a separate JVM from target/leadpipe.jar (or the simulator's
 * own jar, target/leadpipe-simulator.jar).
 */
public final class TestWorkspace implements AutoCloseable {

    public static final String API_KEY = "test-key-7f3a9c";

    public final Path dir;
    public final Map<String, String> settings = new LinkedHashMap<>();
    public LeadsApiSimulator simulator;
    /**
     * True: leadpipe's first start creates the database itself, every migration from V1, as on a new machine. False (the
     * default): before leadpipe first runs, the workspace's H2 file is a copy of one already migrated ({@link SchemaTemplate})
     * unless the test has created the file, changed its URL or set a password by then; on PostgreSQL, its still empty
     * database is made a copy of a migrated one.
     */
    public boolean newDatabase;
    private final String initialUrl;
    /** The database {@link #onPostgres()} made for this workspace, or null. */
    private String postgresUrl;
    private boolean seeded;

    /** -Dleadpipe-test.db=postgres runs every workspace on an embedded PostgreSQL (one server, a fresh database each). */
    private static final boolean ALL_ON_POSTGRES = "postgres".equals(System.getProperty("leadpipe-test.db"));
    /** Set while an {@link OnPostgres} class runs. */
    private static volatile boolean classOnPostgres;

    /** Whether the running test's workspaces store on PostgreSQL (the whole run's choice, or its class's). */
    public static boolean postgres() {
        return ALL_ON_POSTGRES || classOnPostgres;
    }

    static void postgresForClass(boolean on) {
        classOnPostgres = on;
    }

    public TestWorkspace() throws IOException {
        dir = Files.createTempDirectory("leadpipe-test");
        if (postgres()) {
            onPostgres();
        } else {
            settings.put("leadpipe.db.url", "jdbc:h2:file:" + dir.resolve("db/leadpipe") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0");
        }
        initialUrl = settings.get("leadpipe.db.url");
        settings.put("leadpipe.report.dir", dir.resolve("reports").toString());
        settings.put("camel.management.enabled", "false"); // one management port per machine: only tests that scrape it turn it on
    }

    /** This workspace's database becomes a fresh database on the shared embedded PostgreSQL. */
    public TestWorkspace onPostgres() throws IOException {
        postgresUrl = EmbeddedPostgres.freshDatabase();
        settings.put("leadpipe.db.url", postgresUrl);
        settings.put("leadpipe.db.user", "postgres");
        settings.put("leadpipe.db.password", "");
        return this;
    }

    /**
     * Delivery on, against the simulator's CRM and enrichment APIs with quotas and Throttler caps out of the
     * way (tests about pacing set their own). Call before {@link #startSimulator}.
     */
    public TestWorkspace withSink(SimulatorConfig config) {
        config.crmRateLimit = 1000;
        config.enrichRateLimit = 5000;
        settings.put("leadpipe.sink.enabled", "true");
        settings.put("leadpipe.sink.crm.max-requests-per-second", "1000");
        settings.put("leadpipe.sink.enrichment.max-requests-per-second", "1000");
        return this;
    }

    public LeadsApiSimulator startSimulator(SimulatorConfig config) throws IOException {
        config.apiKey = API_KEY;
        simulator = new LeadsApiSimulator(config).start();
        settings.put("leadpipe.source.leads-api.url", simulator.leadsUrl());
        settings.put("leadpipe.sink.crm.url", simulator.crmUrl());
        settings.put("leadpipe.sink.enrichment.url", simulator.enrichUrl());
        return simulator;
    }

    public static final String CORE_ROUTES = "file:routes/extract.yaml,file:routes/fetch.yaml,file:routes/checkpoint.yaml,file:routes/errors.yaml";

    /** Replaces routes/jobs.yaml with these jobs (YAML templatedRoutes) for this workspace. */
    public void jobs(String yaml) throws IOException {
        Path f = dir.resolve("jobs.yaml");
        Files.writeString(f, yaml);
        settings.put("camel.main.routes-include-pattern", CORE_ROUTES + ",file:" + f);
    }

    /** One templatedRoute of the extract template. */
    public static String job(String id, String filters, String... extraParams) {
        StringBuilder b = new StringBuilder("- templatedRoute:\n    routeTemplateRef: extract\n    routeId: job-" + id + "\n    parameters:\n")
                .append("      - { name: jobId, value: \"").append(id).append("\" }\n")
                .append("      - { name: filters, value: \"").append(filters).append("\" }\n");
        for (int i = 0; i < extraParams.length; i += 2) {
            b.append("      - { name: ").append(extraParams[i]).append(", value: \"").append(extraParams[i + 1]).append("\" }\n");
        }
        return b.toString();
    }

    public List<String> storedLeadKeys(String job) throws SQLException {
        List<String> keys = new ArrayList<>();
        try (Connection c = db(); PreparedStatement ps = c.prepareStatement("SELECT lead_key FROM lead_jobs WHERE job_id = ?")) {
            ps.setString(1, job);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) keys.add(rs.getString(1));
            }
        }
        return keys;
    }

    public String jdbcUrl() {
        return settings.get("leadpipe.db.url");
    }

    /** Writes the settings as a --config file. */
    public Path configFile() throws IOException {
        Path f = dir.resolve("test.properties");
        StringBuilder b = new StringBuilder();
        settings.forEach((k, v) -> b.append(k).append('=').append(v.replace("\\", "\\\\")).append('\n'));
        Files.writeString(f, b.toString());
        return f;
    }

    public record CliResult(int exitCode, String out, String err) {}

    /** A run of the CLI in this JVM with its log lines (System.out, where the tests' logger writes) and how long it took. */
    public record LoggedRun(CliResult cli, String log, long millis) {
        public String all() {
            return cli.out() + cli.err() + log;
        }
    }

    /** {@link #cli}, with the log lines written meanwhile (by this run, and by any test running beside it). */
    public LoggedRun cliLogged(Map<String, String> env, String... args) throws Exception {
        long start = System.nanoTime();
        CliResult[] result = new CliResult[1];
        String log = logsOf(() -> result[0] = cli(env, args));
        return new LoggedRun(result[0], log, (System.nanoTime() - start) / 1_000_000);
    }

    /** Something run in this JVM. */
    public interface Step {
        void run() throws Exception;
    }

    /** The log lines written while {@code step} runs (System.out, where the tests' logger writes; tests beside it too). */
    public static String logsOf(Step step) throws Exception {
        PrintStream console = System.out;
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        System.setOut(new PrintStream(logs, true, StandardCharsets.UTF_8));
        try {
            step.run();
        } finally {
            System.setOut(console);
        }
        return logs.toString(StandardCharsets.UTF_8);
    }

    /** The CLI in this JVM, with the given environment (the API key lives there). */
    public CliResult cli(Map<String, String> env, String... args) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        seedDatabase(args);
        List<String> argv = new ArrayList<>(List.of("--config", configFile().toString()));
        argv.addAll(List.of(args));
        int code = new LeadpipeCli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), env)
                .execute(argv.toArray(String[]::new));
        return new CliResult(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The application in this JVM, started on this workspace's settings (close it). */
    public LeadpipeWiring app() throws Exception {
        seedDatabase();
        io.leadpipe.config.Settings s = io.leadpipe.config.Settings.load(Path.of("application.properties"), configFile(), Map.of(), envWithKey(), new java.util.Properties());
        return new LeadpipeWiring(s).start(envWithKey());
    }

    /** The migrated template's copy, once, where leadpipe would otherwise create the database and migrate it from V1 (probe opens none). */
    private void seedDatabase(String... args) throws IOException {
        if (seeded || newDatabase || List.of(args).contains("probe")) return;
        seeded = true;
        String url = settings.get("leadpipe.db.url");
        if (url.equals(postgresUrl)) {
            EmbeddedPostgres.migrate(url); // PostgreSQL: the same, by CREATE DATABASE … TEMPLATE, while the database is empty
            return;
        }
        boolean ownPassword = !settings.getOrDefault("leadpipe.db.password", "").isEmpty() || !settings.getOrDefault("leadpipe.db.password-file", "").isEmpty();
        if (ownPassword || !url.equals(initialUrl) || Files.exists(dir.resolve("db"))) return;
        SchemaTemplate.copyInto(dir.resolve("db"));
    }

    /** This workspace's store, open and migrated, without the rest of leadpipe (tests of the store's own classes; close it). */
    public io.leadpipe.store.Database openDatabase() throws IOException {
        seedDatabase();
        return io.leadpipe.store.Database.open(io.leadpipe.config.Settings.load(Path.of("application.properties"), configFile(), Map.of(), Map.of(),
                new java.util.Properties())).migrate();
    }

    public static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public static Map<String, String> envWithKey() {
        Map<String, String> env = new HashMap<>();
        env.put("LEADPIPE_API_KEY", API_KEY);
        env.put("LEADPIPE_CRM_API_KEY", "crm-key");
        env.put("LEADPIPE_ENRICH_API_KEY", "enrich-key");
        return env;
    }

    /** target/leadpipe.jar as a separate JVM, output to a log file in the workspace. */
    public Process startProcess(Path log, String... args) throws IOException {
        seedDatabase(args);
        List<String> cmd = new ArrayList<>(List.of(javaBin()));
        cmd.addAll(ChildJvm.options());
        cmd.addAll(List.of("-jar", Path.of("target/leadpipe.jar").toAbsolutePath().toString(), "--config", configFile().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(Path.of("").toAbsolutePath().toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(envWithKey());
        return pb.start();
    }

    /** target/leadpipe-simulator.jar as a separate JVM with this workspace's settings; no API keys in its environment. */
    public Process startSimulatorJar(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(javaBin()));
        cmd.addAll(ChildJvm.plainOptions());
        cmd.addAll(List.of("-jar", Path.of("target/leadpipe-simulator.jar").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--config", configFile().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(Path.of("").toAbsolutePath().toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        envWithKey().keySet().forEach(pb.environment()::remove);
        return pb.start();
    }

    public static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** How many leads stand at each delivery status (NEW, SENDING, DELIVERED, DEAD, …). */
    public Map<String, Long> sinkStatuses() throws SQLException {
        Map<String, Long> m = new java.util.TreeMap<>();
        try (Connection c = db(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT sink_status, COUNT(*) FROM leads GROUP BY sink_status")) {
            while (rs.next()) m.put(rs.getString(1), rs.getLong(2));
        }
        return m;
    }

    /** How many leads stand at this delivery status. */
    public long sinkStatus(String status) throws SQLException {
        return sinkStatuses().getOrDefault(status, 0L);
    }

    public Connection db() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), settings.getOrDefault("leadpipe.db.user", "sa"), dbPassword());
    }

    /** The configured password, else the one leadpipe generated beside a local H2 database (empty before leadpipe ran). */
    public String dbPassword() {
        String configured = settings.getOrDefault("leadpipe.db.password", "");
        if (!configured.isEmpty()) return configured;
        Path file = io.leadpipe.store.Database.localDirectory(jdbcUrl()).map(io.leadpipe.store.GeneratedPassword::fileFor).orElse(null);
        try {
            return file != null && Files.exists(file) ? Files.readString(file).trim() : "";
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    public List<String> storedLeadKeys() throws SQLException {
        List<String> keys = new ArrayList<>();
        try (Connection c = db(); PreparedStatement ps = c.prepareStatement("SELECT lead_key FROM leads"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) keys.add(rs.getString(1));
        }
        return keys;
    }

    public Map<String, Object> checkpoint(String job) throws SQLException {
        try (Connection c = db(); PreparedStatement ps = c.prepareStatement("SELECT * FROM extraction_checkpoint WHERE job_id = ?")) {
            ps.setString(1, job);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnLabel(i).toLowerCase(), rs.getObject(i));
                }
                return row;
            }
        }
    }

    /** The ids the simulator serves for positions [from, to). */
    public static Set<String> idsOf(int from, int to) {
        return IntStream.range(from, to).mapToObj(LeadDataset::idOf).collect(Collectors.toCollection(TreeSet::new));
    }

    @Override
    public void close() throws IOException {
        if (simulator != null) simulator.close();
        try (var files = Files.walk(dir)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        }
    }
}
