package io.leadpipe.ratelimit;

import io.leadpipe.testing.TestWorkspace;
import io.leadpipe.config.Settings;
import io.leadpipe.store.Database;
import io.leadpipe.store.SharedWindowTable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A key's window shared through the database (leadpipe.ratelimit.cluster = database): several governors —
 * instances — on one key take permits in blocks from one row of a real database (an H2 file in the build; on
 * PostgreSQL with {@code mvn surefire:test@postgres -Dtest=SharedWindowTest}, and the build's ClusterQuotaIT takes
 * them on PostgreSQL from three processes) and together never take more than the window allows.
 */
class SharedWindowTest {

    private static final String KEY = "rate-key-1";
    private static final Duration MARGIN = Duration.ofMillis(250);

    private TestWorkspace ws;
    private Database db;
    private final MovableClock clock = new MovableClock(Instant.parse("2026-11-28T10:00:00.400Z"));

    @BeforeEach
    void database() throws Exception {
        ws = new TestWorkspace();
        db = ws.openDatabase();
    }

    @AfterEach
    void close() throws Exception {
        db.close();
        ws.close();
    }

    /** A new instance on the key: its own governor (its own block), the cluster's row. Waits end the caller's loop (StopWaiting) unless {@code sleeps} moves the clock. */
    private RateLimitGovernor instance(long floor, int block, boolean sleepsMoveTheClock, List<Duration> waits) {
        RateLimitGovernor.Sleeper sleeper = d -> {
            synchronized (waits) {
                waits.add(d);
            }
            if (!sleepsMoveTheClock) throw new StopWaiting();
            clock.advance(d);
        };
        return new RateLimitGovernor("leads-api", floor, MARGIN, clock, sleeper).shareWindow(new SharedWindowTable(db.dataSource()), KEY, block);
    }

    private static final class StopWaiting extends RuntimeException {
    }

    private RateLimitSnapshot said(long limit, long remaining, Instant reset) {
        return new RateLimitSnapshot(limit, remaining, reset);
    }

    /** Permits a governor gives before it would have to wait. */
    private static int permitsUntilWait(RateLimitGovernor g) throws InterruptedException {
        int n = 0;
        try {
            while (n < 10_000) {
                g.acquire("job");
                n++;
            }
        } catch (StopWaiting waited) {
            return n;
        }
        return n;
    }

    @Test
    void threeInstancesWithTwelveThreadsTakeTheWholeWindowAndNotOnePermitMore() throws Exception {
        Instant reset = clock.instant().plusSeconds(30);
        List<RateLimitGovernor> instances = new ArrayList<>();
        for (int i = 0; i < 3; i++) instances.add(instance(0, 5, false, new ArrayList<>()));
        instances.get(0).observe(said(120, 120, reset)); // the first answer of the window names it

        ExecutorService pool = Executors.newFixedThreadPool(12);
        AtomicInteger granted = new AtomicInteger();
        List<Future<?>> runs = new ArrayList<>();
        for (int t = 0; t < 12; t++) {
            RateLimitGovernor g = instances.get(t % 3);
            runs.add(pool.submit(() -> {
                granted.addAndGet(permitsUntilWait(g));
                return null;
            }));
        }
        for (Future<?> f : runs) f.get();
        pool.shutdown();

        assertThat(granted.get()).as("permits the three instances gave together in one window of 120").isEqualTo(120);
        assertThat(row().get("taken")).isEqualTo(120L);
    }

    @Test
    void anIdleInstanceLeavesItsShareToTheOthers() throws Exception {
        RateLimitGovernor busy = instance(0, 5, false, new ArrayList<>());
        instance(0, 5, false, new ArrayList<>()); // on the key, sending nothing
        busy.observe(said(30, 30, clock.instant().plusSeconds(10)));

        assertThat(permitsUntilWait(busy)).as("one busy instance of two uses the whole window").isEqualTo(30);
    }

    @Test
    void blocksAreSmallAndTheDatabaseIsNotAskedForEveryRequest() throws Exception {
        RateLimitGovernor g = instance(0, 5, false, new ArrayList<>());
        g.observe(said(100, 100, clock.instant().plusSeconds(10)));
        for (int i = 0; i < 7; i++) g.acquire("job");

        assertThat(row().get("taken")).as("7 requests took two blocks of 5 (a tenth of 100 is 10, the setting says 5)").isEqualTo(10L);
    }

    @Test
    void theFloorIsKeptForOtherClientsOfTheKey() throws Exception {
        RateLimitGovernor a = instance(10, 5, false, new ArrayList<>());
        RateLimitGovernor b = instance(10, 5, false, new ArrayList<>());
        a.observe(said(50, 50, clock.instant().plusSeconds(10)));

        assertThat(permitsUntilWait(a) + permitsUntilWait(b)).as("50 less the floor (a tenth of 50)").isEqualTo(45);
    }

    @Test
    void whatTheApiSaysRaisesTheCountButNeverLowersIt() throws Exception {
        RateLimitGovernor a = instance(0, 5, false, new ArrayList<>());
        Instant reset = clock.instant().plusSeconds(10);
        a.observe(said(20, 20, reset));
        for (int i = 0; i < 4; i++) a.acquire("job"); // 5 taken
        a.observe(said(20, 8, reset)); // another client of the key used 7 more than we know of

        RateLimitGovernor b = instance(0, 5, false, new ArrayList<>());
        assertThat(permitsUntilWait(b)).as("what the API says is left (a used its 4 permits)").isEqualTo(8);

        a.observe(said(20, 19, reset)); // an answer that overtook the others: it does not give back what is in flight
        assertThat(row().get("taken")).isEqualTo(20L);
    }

    @Test
    void aWindowRefillsAfterItsResetAndCountsFromZero() throws Exception {
        List<Duration> waits = new ArrayList<>();
        RateLimitGovernor a = instance(0, 5, true, waits);
        Instant reset = clock.instant().plusMillis(600);
        a.observe(said(10, 10, reset));
        for (int i = 0; i < 10; i++) a.acquire("job");
        assertThat(waits).as("the window's 10 went without a wait").isEmpty();

        a.acquire("job"); // the 11th waits for the reset plus the margin
        assertThat(clock.instant()).isEqualTo(reset.plus(MARGIN));
        a.observe(said(10, 9, reset.plusSeconds(1))); // its answer names the new window
        for (int i = 0; i < 9; i++) a.acquire("job");
        assertThat(waits).as("one wait, for the reset").hasSize(1);
        assertThat(row().get("taken")).isEqualTo(10L);
        assertThat(row().get("reset_at_ms")).isEqualTo(reset.plusSeconds(1).toEpochMilli());
    }

    @Test
    void anAnswerFromTheNextWindowStartsItFromWhatTheApiSaysNotFromTheOldCount() throws Exception {
        List<Duration> waits = new ArrayList<>();
        RateLimitGovernor a = instance(0, 5, true, waits);
        Instant reset = clock.instant().plusMillis(900); // rounded up: the API's own window ends sooner
        a.observe(said(10, 10, reset));
        for (int i = 0; i < 10; i++) a.acquire("job");
        // before our reset, an answer from the API's next window: 9 of 10 left
        a.observe(said(10, 9, reset.plusSeconds(1)));
        for (int i = 0; i < 9; i++) a.acquire("job");

        assertThat(waits).as("the 9 the API says are left went at once, the old window's count was not carried over").isEmpty();
        assertThat(row().get("taken")).isEqualTo(10L);
    }

    @Test
    void aPermitGivenWithinTheMarginOfTheResetCountsInTheNextWindowToo() throws Exception {
        List<Duration> waits = new ArrayList<>();
        RateLimitGovernor a = instance(0, 1, true, waits);
        Instant reset = clock.instant().plusMillis(200); // within the margin (250 ms)
        a.observe(said(10, 5, reset));
        a.acquire("job");
        assertThat(waits).as("the window still had 5 left").isEmpty();
        assertThat(row().get("taken_late")).isEqualTo(1L);

        clock.advance(Duration.between(clock.instant(), reset.plus(MARGIN))); // the window refills
        RateLimitGovernor b = instance(0, 1, false, new ArrayList<>());
        assertThat(permitsUntilWait(b)).as("the new window less the request that may have reached the API after its reset").isEqualTo(9);
    }

    @Test
    void a429PausesEveryInstanceOnTheKey() throws Exception {
        List<Duration> waitsOfB = new ArrayList<>();
        RateLimitGovernor a = instance(0, 5, false, new ArrayList<>());
        RateLimitGovernor b = instance(0, 5, true, waitsOfB);
        a.observe(said(100, 90, clock.instant().plusSeconds(60)));
        a.rejected(Duration.ofSeconds(7), true);

        Instant asked = clock.instant();
        b.acquire("job");
        assertThat(Duration.between(asked, clock.instant())).as("b waited for a's Retry-After").isGreaterThanOrEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void theTableHoldsADigestOfTheKeyNeverTheKey() throws Exception {
        RateLimits limits = new RateLimits();
        limits.shareWindows(new SharedWindowTable(db.dataSource()), 5);
        String secret = "sk_live_" + "9f8e7d6c5b4a";
        limits.register("leads-api", secret, RateLimitHeaderNames.defaults(), 0, MARGIN, 100);
        limits.governor("leads-api").observe(said(10, 10, Instant.now().plusSeconds(5)));
        limits.governor("leads-api").acquire("job");

        Map<String, Object> row = row();
        assertThat(row.get("key_sha256").toString()).matches("[0-9a-f]{64}").doesNotContain(secret);
        assertThat(row.toString()).doesNotContain(secret);
        if (!TestWorkspace.postgres()) {
            db.close();
            try (var files = Files.walk(ws.dir)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    assertThat(new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1)).as("%s", f).doesNotContain(secret);
                }
            }
            db = Database.open(Settings.load(Path.of("application.properties"), ws.configFile(), Map.of(), Map.of(), new Properties()));
        }
    }

    @Test
    void whileTheDatabaseCannotBeReachedRequestsWaitAndTryAgainAndNoneGoesUnpaced() throws Exception {
        int port = TestWorkspace.freePort();
        Path base = ws.dir.resolve("tcp");
        String[] args = {"-tcpPort", Integer.toString(port), "-baseDir", base.toString(), "-ifNotExists"};
        org.h2.tools.Server server = org.h2.tools.Server.createTcpServer(args).start();
        Properties url = new Properties();
        try (Database remote = Database.open(Settings.load(Path.of("application.properties"), null,
                Map.of("leadpipe.db.url", "jdbc:h2:tcp://127.0.0.1:" + port + "/quota", "leadpipe.db.password", "pw-1",
                // a request for a connection gives up at once while the server is away (it waited 30 s a try)
                "leadpipe.db.connection-wait-ms", "250"), Map.of(), url)).migrate()) {
            List<Duration> waits = new ArrayList<>();
            org.h2.tools.Server[] restarted = new org.h2.tools.Server[1];
            RateLimitGovernor g = new RateLimitGovernor("leads-api", 0, MARGIN, clock, d -> {
                waits.add(d);
                clock.advance(d);
                if (waits.size() == 4) {
                    try {
                        restarted[0] = org.h2.tools.Server.createTcpServer(args).start(); // the database is back
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }).shareWindow(new SharedWindowTable(remote.dataSource()), KEY, 5);
            g.observe(said(10, 10, clock.instant().plusSeconds(60)));
            g.acquire("job");
            server.stop();

            g.acquire("job"); // needs a new block: waits and asks again until the database answers
            try {
                assertThat(waits).as("backing off while the database is away").containsExactly(
                        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofMillis(1000), Duration.ofMillis(2000));
                try (Connection c = remote.dataSource().getConnection(); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT taken FROM rate_limit_window")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).as("both requests had a permit from the database").isEqualTo(2);
                }
            } finally {
                if (restarted[0] != null) restarted[0].stop();
            }
        }
    }

    @Test
    void aDatabaseAwayLongerThanMaxWaitStopsTheJobInsteadOfWaitingForEver() throws Exception {
        int port = TestWorkspace.freePort();
        org.h2.tools.Server server = org.h2.tools.Server.createTcpServer("-tcpPort", Integer.toString(port), "-baseDir", ws.dir.resolve("tcp").toString(), "-ifNotExists").start();
        try (Database remote = Database.open(Settings.load(Path.of("application.properties"), null,
                Map.of("leadpipe.db.url", "jdbc:h2:tcp://127.0.0.1:" + port + "/quota", "leadpipe.db.password", "pw-1",
                // a request for a connection gives up at once while the server is away (it waited 30 s a try)
                "leadpipe.db.connection-wait-ms", "250"), Map.of(), new Properties())).migrate()) {
            RateLimitGovernor g = new RateLimitGovernor("leads-api", 0, MARGIN, clock, clock::advance)
                    .shareWindow(new SharedWindowTable(remote.dataSource()), KEY, 5).maxWait(Duration.ofSeconds(1));
            server.stop();

            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> g.acquire("job")))
                    .isInstanceOf(WaitTooLongException.class).hasMessageContaining("cannot be reached");
        } finally {
            server.stop();
        }
    }

    @Test
    void aNodeShareWithTheDatabaseOrAnUnknownModeStopsBeforeAnythingIsOpened() throws Exception {
        ws.settings.put("leadpipe.ratelimit.cluster", "database");
        ws.settings.put("leadpipe.ratelimit.node-share", "0.5");
        TestWorkspace.CliResult both = ws.cli(TestWorkspace.envWithKey(), "run");
        assertThat(both.exitCode()).isNotZero();
        assertThat(both.err()).contains("leadpipe.ratelimit.node-share").contains("cluster = node-share");

        ws.settings.put("leadpipe.ratelimit.cluster", "redis");
        ws.settings.remove("leadpipe.ratelimit.node-share");
        TestWorkspace.CliResult unknown = ws.cli(TestWorkspace.envWithKey(), "run");
        assertThat(unknown.exitCode()).isNotZero();
        assertThat(unknown.err()).contains("leadpipe.ratelimit.cluster").contains("database or node-share");
    }

    private Map<String, Object> row() throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT * FROM rate_limit_window")) {
            assertThat(rs.next()).as("the key's row").isTrue();
            Map<String, Object> m = new java.util.TreeMap<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) m.put(rs.getMetaData().getColumnLabel(i).toLowerCase(), rs.getObject(i));
            assertThat(rs.next()).as("one row per key").isFalse();
            return m;
        }
    }

    /** A clock the test moves (sleeps move it in the tests about waits). */
    static final class MovableClock extends Clock {
        private final AtomicReference<Instant> now;

        MovableClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
