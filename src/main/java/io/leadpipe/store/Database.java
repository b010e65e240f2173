package io.leadpipe.store;

import io.leadpipe.config.ConfigException;
import io.leadpipe.config.Settings;
import org.flywaydb.core.api.output.RepairResult;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/** The store: an H2 file by default (under ./data), PostgreSQL by URL, opened and closed; its schema: {@link SchemaMigration}. */
public final class Database implements AutoCloseable {

    static {
        // H2's AUTO_SERVER binds to every interface unless told otherwise (read once, when H2 starts);
        // leadpipe's auto-server is for leadpipe processes on this host only
        if (System.getProperty("h2.bindAddress") == null) System.setProperty("h2.bindAddress", "127.0.0.1");
    }

    private DataSource dataSource;
    private AutoCloseable closer;
    private final String url;
    private SchemaMigration schema;

    /** H2: how {@link StoreCompaction} opens the file again on its own, once this process's pool is closed. */
    private String user = "";
    private String password = "";
    private long upgradeWaitMillis;
    private long openTimeoutMillis;
    private long serveOthersMillis;

    private Database(DataSource dataSource, AutoCloseable closer, String url) {
        this.dataSource = dataSource;
        this.closer = closer;
        this.url = url;
    }

    public static Database open(Settings settings) {
        String url = settings.require("leadpipe.db.url");
        String user = settings.getText("leadpipe.db.user");
        String password = settings.getText("leadpipe.db.password");
        String passwordFile = settings.get("leadpipe.db.password-file");
        if (passwordFile != null) {
            try {
                password = Files.readString(Path.of(passwordFile)).lines().findFirst().orElse("").trim();
            } catch (IOException e) {
                throw new ConfigException("cannot read leadpipe.db.password-file " + passwordFile + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        io.leadpipe.secrets.Secrets.register(password); // never printed, whatever error text quotes it
        int maxConnections = settings.getInt("leadpipe.db.max-connections", 1, 1000);
        long connectionWait = settings.getLong("leadpipe.db.connection-wait-ms", 250, 3_600_000);
        long openTimeout = settings.getLong("leadpipe.db.open-timeout-ms", 0, 600_000);
        if (url.startsWith("jdbc:h2:")) {
            Path dir = createH2Directory(url);
            if (dir != null) url = withAppendOnlyChunks(url);
            boolean configured = !password.isEmpty() || passwordFile != null;
            if (dir != null && !configured) password = generatedFor(dir);
            Database db = new Database(null, null, url);
            db.user = user;
            db.password = password;
            db.openTimeoutMillis = openTimeout;
            db.upgradeWaitMillis = settings.getLong("leadpipe.db.upgrade-wait-ms", 0, 86_400_000);
            db.serveOthersMillis = settings.getLong("leadpipe.db.serve-others-ms", 0, 86_400_000);
            String h2Url = url, h2User = user, h2Password = password;
            // the first connection is this thread's own, not the pool's, so that H2's error (wrong password, file busy) is
            // the message; it is held until the pool has one, so the file is opened once (and its auto-server stays here)
            try (Connection first = db.check(openTimeout, user, password, () -> java.sql.DriverManager.getConnection(h2Url, h2User, h2Password))) {
                com.zaxxer.hikari.HikariDataSource pool = h2Pool(url, user, password, maxConnections, connectionWait,
                        () -> H2FileGuard.fileClosed(db.dataSource));
                db.dataSource = new H2FileGuard(pool, connectionWait, System::currentTimeMillis);
                db.closer = pool::close;
                if (dir != null) db.secureH2Files(dir);
            } catch (SQLException | RuntimeException e) {
                if (db.closer != null) db.closeQuietly();
                if (e instanceof ConfigException c) throw c;
                Throwable cause = e instanceof com.zaxxer.hikari.pool.HikariPool.PoolInitializationException && e.getCause() != null ? e.getCause() : e;
                throw new ConfigException("cannot open the database " + io.leadpipe.config.JdbcUrlMask.mask(url) + ": "
                        + String.valueOf(cause.getMessage()).lines().findFirst().orElse(""));
            }
            return db;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            com.zaxxer.hikari.HikariConfig hc = new com.zaxxer.hikari.HikariConfig();
            hc.setJdbcUrl(url);
            if (!user.isEmpty()) hc.setUsername(user);
            if (!password.isEmpty()) hc.setPassword(password);
            hc.setMaximumPoolSize(maxConnections);
            hc.setConnectionTimeout(connectionWait);
            hc.setPoolName("leadpipe");
            hc.setInitializationFailTimeout(-1); // reachability is checked below, with a clear message
            com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource(hc);
            Database db = new Database(pool, pool::close, url);
            try {
                db.check(openTimeout, null, null, pool::getConnection).close();
            } catch (SQLException | ConfigException e) {
                pool.close();
                if (e instanceof ConfigException c) throw c;
                throw new ConfigException("cannot open the database " + io.leadpipe.config.JdbcUrlMask.mask(url) + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            }
            return db;
        }
        throw settings.invalid("leadpipe.db.url", url, "is not an H2 (jdbc:h2:) or PostgreSQL (jdbc:postgresql:) URL");
    }

    /**
     * REUSE_SPACE=FALSE: H2 writes every chunk at the end of the file. Measured with `bench/run durability`:
     * when a commit's chunk lands in reused space in the middle of the file, H2's quick recovery after
     * kill -9 may not find it and opens an older version, so committed checkpoints went backwards (15 of
     * 100 kills; 0 of 84 with appended chunks, where the newest chunk is the file's tail and is found).
     * H2's RETENTION_TIME stays at its default (45 s; H2 documents lower values as unsafe): H2 rewrites and
     * drops only chunks older than that, so with {@link H2Housekeeping} the chunks kept in the heap are about
     * the last 1–2 minutes of commits. The price is a file that only grows while leadpipe runs.
     */
    static String withAppendOnlyChunks(String url) {
        String upper = url.toUpperCase(java.util.Locale.ROOT);
        if (upper.contains(";REUSE_SPACE=TRUE")) return url; // the user's choice: H2's own behaviour
        if (!upper.contains(";REUSE_SPACE=")) url += ";REUSE_SPACE=FALSE";
        return url;
    }

    /** The H2 database's file name without its extension (./data/leadpipe), or null for PostgreSQL, memory or a server. */
    public static Path h2File(String url) {
        if (url == null || !url.startsWith("jdbc:h2:")) return null;
        String rest = url.substring("jdbc:h2:".length());
        if (rest.startsWith("file:")) rest = rest.substring(5);
        if (rest.startsWith("mem:") || rest.startsWith("tcp:") || rest.startsWith("ssl:") || rest.startsWith("zip:")) return null;
        int semi = rest.indexOf(';');
        String name = semi < 0 ? rest : rest.substring(0, semi);
        if (name.startsWith("~")) name = System.getProperty("user.home") + name.substring(1);
        return Path.of(name).toAbsolutePath().normalize();
    }

    /** The directory holding a local H2 database's files (nothing may be written there but the database). */
    public static java.util.Optional<Path> localDirectory(String url) {
        Path file = h2File(url);
        return file == null ? java.util.Optional.empty() : java.util.Optional.ofNullable(file.getParent());
    }

    /** Creates the database's directory owner-only (or tightens leadpipe's existing one); null when the database is not a local file. */
    private static Path createH2Directory(String url) {
        Path file = h2File(url);
        if (file == null || file.getParent() == null) return null;
        Path dir = file.getParent();
        try {
            if (Files.isDirectory(dir)) {
                OwnerOnly.existingDirectory(dir);
            } else {
                try {
                    Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
                } catch (UnsupportedOperationException e) {
                    Files.createDirectories(dir);
                }
                OwnerOnly.directory(dir); // the umask may have narrowed the attribute, never widened it; set it exactly
            }
        } catch (IOException e) {
            throw new ConfigException("cannot create the database directory " + dir + ": " + e.getMessage());
        }
        return dir;
    }

    /**
     * The database's files owner-only, and its auto-server (if any) on loopback: the lock file names
     * the server's address and the key that lets a client in.
     */
    private void secureH2Files(Path dir) {
        String base = h2File(url).getFileName().toString() + ".";
        try (var files = Files.list(dir)) {
            files.filter(f -> f.getFileName().toString().startsWith(base) || f.getFileName().toString().equals(GeneratedPassword.FILE_NAME))
                    .forEach(OwnerOnly::file);
        } catch (IOException e) {
            throw new ConfigException("cannot list the database directory " + dir + ": " + e.getMessage());
        }
        Path lock = dir.resolve(base + "lock.db");
        if (!url.toUpperCase(java.util.Locale.ROOT).contains("AUTO_SERVER=TRUE") || !Files.exists(lock)) return;
        java.util.Properties p = new java.util.Properties();
        try (var r = Files.newBufferedReader(lock)) {
            p.load(r);
        } catch (IOException e) {
            return; // being rewritten by the process that serves the database; it is checked there
        }
        String server = p.getProperty("server", "");
        String host = server.contains(":") ? server.substring(0, server.lastIndexOf(':')) : server;
        if (!host.isEmpty() && !isLoopback(host)) {
            throw new ConfigException("the database's auto-server listens on " + host + ", not on loopback: start leadpipe with -Dh2.bindAddress=127.0.0.1"
                    + " (or stop the process that opened " + url.split(";")[0] + " without it)");
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /**
     * H2's connections pooled by HikariCP, as PostgreSQL's are. H2's own JdbcConnectionPool rolls back every connection
     * handed back, and in H2 2.5 a ROLLBACK empties the session's cache of parsed statements, so every page parsed all
     * its statements again (`bench/run overhead`); HikariCP rolls back only a connection left inside a transaction.
     * Connections live until the pool closes: an embedded H2 database closes with its last connection.
     */
    private static com.zaxxer.hikari.HikariDataSource h2Pool(String url, String user, String password, int maxConnections, long connectionWait,
                                                             Runnable fileClosed) {
        com.zaxxer.hikari.HikariConfig hc = new com.zaxxer.hikari.HikariConfig();
        hc.setJdbcUrl(url);
        hc.setUsername(user);
        hc.setPassword(password);
        hc.setMaximumPoolSize(maxConnections);
        hc.setConnectionTimeout(connectionWait);
        hc.setMinimumIdle(1); // more are opened when asked for, and kept, as H2's pool did
        hc.setIdleTimeout(0);
        hc.setMaxLifetime(0);
        hc.setPoolName("leadpipe");
        // a connection to a server that went away is not handed out again; a file that closed is not asked for a while
        hc.setExceptionOverride(new H2BrokenConnections(fileClosed));
        return new com.zaxxer.hikari.HikariDataSource(hc); // opens its first connection on this thread, or throws
    }

    /** How {@link #check} opens a connection: the pool's, or (H2) one of its own. */
    private interface Opener {
        Connection open() throws SQLException;
    }

    /**
     * Opens one connection, retrying briefly (another leadpipe process may be opening the same H2 file), and
     * returns it open. On H2, a database still on H2's default empty password (made by an earlier leadpipe) is
     * given the password leadpipe now uses, so the old empty one stops working.
     */
    private Connection check(long timeoutMillis, String user, String password, Opener opener) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        boolean triedEmptyPassword = false;
        while (true) {
            try {
                Connection c = opener.open();
                c.isValid(5);
                return c;
            } catch (SQLException e) {
                if (e.getErrorCode() == org.h2.api.ErrorCode.WRONG_USER_OR_PASSWORD && password != null && !password.isEmpty() && !triedEmptyPassword) {
                    triedEmptyPassword = true;
                    if (setPasswordOnEmpty(user, password)) continue;
                    throw new ConfigException("cannot open the database " + url.split(";")[0] + ": wrong user or password for user '" + user
                            + "' (configured with leadpipe.db.password or .password-file, or generated in " + GeneratedPassword.FILE_NAME + " beside the database)");
                }
                if (System.currentTimeMillis() >= deadline) {
                    throw new ConfigException("cannot open the database " + io.leadpipe.config.JdbcUrlMask.mask(url) + ": " + e.getMessage().lines().findFirst().orElse(""));
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new ConfigException("interrupted while opening the database " + io.leadpipe.config.JdbcUrlMask.mask(url));
                }
            }
        }
    }

    /** The password leadpipe generated for a local database (created on first use, owner-only). */
    private static String generatedFor(Path dir) {
        return GeneratedPassword.readOrCreate(GeneratedPassword.fileFor(dir));
    }

    /** True when the database opened with the empty password and now has this one instead. */
    private boolean setPasswordOnEmpty(String user, String password) {
        try (Connection c = java.sql.DriverManager.getConnection(url, user, ""); java.sql.Statement st = c.createStatement()) {
            String current;
            try (java.sql.ResultSet rs = st.executeQuery("SELECT CURRENT_USER")) {
                rs.next();
                current = rs.getString(1);
            }
            // a literal, not a parameter: ALTER USER takes none; the password is hex or configured (quotes doubled)
            st.execute("ALTER USER \"" + current.replace("\"", "\"\"") + "\" SET PASSWORD '" + password.replace("'", "''") + "'");
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /** Brings the schema up to date; a no-op when it already is ({@link SchemaMigration}). */
    public Database migrate() {
        schema().migrate();
        return this;
    }

    /** `leadpipe repair`: see {@link SchemaMigration#repair()}. */
    public RepairResult repair() {
        return schema().repair();
    }

    /** The schema version after the last successful migration. */
    public String schemaVersion() {
        return schema().version();
    }

    /** What the last start put back of an upgrade a kill interrupted (H2's table copies), one line each. */
    public java.util.List<String> putBack() {
        return schema == null ? java.util.List.of() : schema.putBack();
    }

    private SchemaMigration schema() {
        if (schema == null) schema = new SchemaMigration(dataSource, url, openTimeoutMillis, upgradeWaitMillis);
        return schema;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** H2: a connection of its own to the existing file (never creates one), outside the pool; null when the file is gone. */
    Connection connectAlone() throws SQLException {
        Path file = h2File(url);
        if (file == null || !Files.exists(file.resolveSibling(file.getFileName() + ".mv.db"))) return null;
        return java.sql.DriverManager.getConnection(url + ";IFEXISTS=TRUE", user, password);
    }

    public boolean isH2() {
        return url.startsWith("jdbc:h2:");
    }

    public String url() {
        return url;
    }

    private void closeQuietly() {
        try {
            closer.close();
        } catch (Exception ignored) {
            // the open failed already: that is the error reported
        }
    }

    @Override
    public void close() {
        close(true);
    }

    /** {@code serveOthers} false: the database no longer works (a full disk), so it is not kept open for other processes. */
    public void close(boolean serveOthers) {
        if (serveOthers && serveOthersMillis > 0 && url.toUpperCase(java.util.Locale.ROOT).contains("AUTO_SERVER=TRUE")) H2Server.keepServingOthers(dataSource, serveOthersMillis);
        try {
            closer.close();
        } catch (Exception ignored) {
            // closing a pool at exit: nothing useful to do with a failure
        }
    }
}
