package io.leadpipe.store;

import io.leadpipe.config.Settings;
import io.leadpipe.store.Database;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The local H2 database is for this user only: owner-only files, a generated password, a loopback-only auto-server. */
class DatabaseAccessTest {

    @BeforeAll
    static void h2SettingsFirst() throws Exception {
        // in a JVM shared with other tests, leadpipe's Database class must be initialised before H2 reads its system properties
        Class.forName(Database.class.getName());
    }

    private static Settings settings(Path dir) throws Exception {
        return Settings.load(Path.of("application.properties"), null,
                Map.of("leadpipe.db.url", url(dir)), Map.of(), new Properties());
    }

    private static String url(Path dir) {
        return "jdbc:h2:file:" + dir.resolve("data/leadpipe") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0";
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void aNewDatabaseIsOwnerOnlyWithAGeneratedPassword() throws Exception {
        Path dir = Files.createTempDirectory("leadpipe-access");
        try (Database db = Database.open(settings(dir)).migrate()) {
            Path data = dir.resolve("data");
            assertThat(mode(data)).as("data directory").isEqualTo("rwx------");
            assertThat(mode(data.resolve("leadpipe.mv.db"))).as("database file").isEqualTo("rw-------");
            assertThat(mode(data.resolve("leadpipe.lock.db"))).as("lock file (holds the auto-server's key)").isEqualTo("rw-------");
            Path passwordFile = data.resolve(".db-password");
            assertThat(mode(passwordFile)).as("password file").isEqualTo("rw-------");
            String password = Files.readString(passwordFile).trim();
            assertThat(password).hasSizeGreaterThanOrEqualTo(32);
            try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'REUSE_SPACE'")) {
                assertThat(rs.next() ? rs.getString(1) : null).as("chunks appended, never written into reused space (checkpoint durability)").isEqualToIgnoringCase("false");
            }

            assertThatThrownBy(() -> DriverManager.getConnection(url(dir), "sa", "").close())
                    .as("the empty password of H2's default is refused").isInstanceOf(SQLException.class);
            try (Connection c = DriverManager.getConnection(url(dir), "sa", password); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM extraction_checkpoint")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void aDatabaseCreatedWithTheEmptyPasswordKeepsItsLeadsAndGetsTheGeneratedOne() throws Exception {
        Path dir = Files.createTempDirectory("leadpipe-access");
        Files.createDirectories(dir.resolve("data"));
        // as an earlier leadpipe made it: H2's default user sa with the empty password, schema by Flyway, leads in it
        org.flywaydb.core.Flyway.configure().dataSource(url(dir), "sa", "").locations("classpath:db/migration").load().migrate();
        try (Connection c = DriverManager.getConnection(url(dir), "sa", ""); Statement st = c.createStatement()) {
            st.execute("INSERT INTO leads (lead_key, source, job_id, page_no, payload, fetched_at) VALUES "
                    + "('L1', 'leads-api', 'all-leads', 1, '{}', CURRENT_TIMESTAMP), ('L2', 'leads-api', 'all-leads', 1, '{}', CURRENT_TIMESTAMP)");
        }
        try (Database db = Database.open(settings(dir)).migrate(); Connection c = db.dataSource().getConnection();
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM leads")) {
            rs.next();
            assertThat(rs.getInt(1)).as("rows written before the password change").isEqualTo(2);
        }
        assertThatThrownBy(() -> DriverManager.getConnection(url(dir), "sa", "").close())
                .as("the old empty password no longer opens the database").isInstanceOf(SQLException.class);
        String password = Files.readString(dir.resolve("data/.db-password")).trim();
        DriverManager.getConnection(url(dir), "sa", password).close();
        assertThat(mode(dir.resolve("data/leadpipe.mv.db"))).isEqualTo("rw-------");
        // and it opens again the next time, with the generated password
        try (Database db = Database.open(settings(dir))) {
            assertThat(db.url()).startsWith(url(dir));
        }
    }

    @Test
    void aConfiguredPasswordIsUsedAndNoPasswordFileIsWritten() throws Exception {
        Path dir = Files.createTempDirectory("leadpipe-access");
        Settings s = Settings.load(Path.of("application.properties"), null,
                Map.of("leadpipe.db.url", url(dir), "leadpipe.db.password", "configured-secret-1"), Map.of(), new Properties());
        try (Database db = Database.open(s).migrate()) {
            assertThat(dir.resolve("data/.db-password")).doesNotExist();
            DriverManager.getConnection(url(dir), "sa", "configured-secret-1").close();
        }
    }

    @Test
    void theAutoServerListensOnLoopbackOnly() throws Exception {
        Path dir = Files.createTempDirectory("leadpipe-access");
        try (Database db = Database.open(settings(dir)).migrate()) {
            Properties lock = new Properties();
            try (Reader r = Files.newBufferedReader(dir.resolve("data/leadpipe.lock.db"))) {
                lock.load(r);
            }
            String server = lock.getProperty("server");
            assertThat(java.net.InetAddress.getByName(server.substring(0, server.lastIndexOf(':'))).isLoopbackAddress())
                    .as("the auto-server's address in the lock file (%s) is loopback", server).isTrue();
            int port = Integer.parseInt(server.substring(server.lastIndexOf(':') + 1));
            String listening = listeningAddress(port);
            if (listening != null) assertThat(listening).as("local address of the LISTEN socket on port %d (/proc/net/tcp*)", port).isIn("0100007F", "0000000000000000FFFF00000100007F"); // 127.0.0.1, or ::ffff:127.0.0.1 on a dual-stack socket
        }
    }

    /** The local address (hex, as in /proc/net/tcp) of the socket listening on this port, or null when /proc is not there. */
    private static String listeningAddress(int port) throws Exception {
        String hexPort = String.format(":%04X", port);
        for (String table : new String[]{"/proc/net/tcp", "/proc/net/tcp6"}) {
            Path p = Path.of(table);
            if (!Files.exists(p)) return null;
            for (String line : Files.readAllLines(p)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[1].endsWith(hexPort) && "0A".equals(f[3])) return f[1].substring(0, f[1].indexOf(':'));
            }
        }
        return "not found";
    }
}
