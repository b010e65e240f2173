package io.leadpipe.store;

import io.leadpipe.cli.ConfigException;
import io.leadpipe.cli.Settings;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcConnectionPool;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/** The store: an H2 file by default (under ./data), PostgreSQL by URL; the schema comes from Flyway. */
public final class Database implements AutoCloseable {

    private final DataSource dataSource;
    private final AutoCloseable closer;
    private final String url;

    private Database(DataSource dataSource, AutoCloseable closer, String url) {
        this.dataSource = dataSource;
        this.closer = closer;
        this.url = url;
    }

    public static Database open(Settings settings) {
        String url = settings.require("leadpipe.db.url");
        String user = settings.get("leadpipe.db.user", "");
        String password = settings.get("leadpipe.db.password", "");
        String passwordFile = settings.get("leadpipe.db.password-file");
        if (passwordFile != null) {
            try {
                password = Files.readString(Path.of(passwordFile)).lines().findFirst().orElse("").trim();
            } catch (IOException e) {
                throw new ConfigException("cannot read leadpipe.db.password-file " + passwordFile + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        int maxConnections = settings.getInt("leadpipe.db.max-connections", 10, 1, 1000);
        long openTimeout = settings.getLong("leadpipe.db.open-timeout-ms", 10_000, 0, 600_000);
        if (url.startsWith("jdbc:h2:")) {
            createH2Directory(url);
            JdbcConnectionPool pool = JdbcConnectionPool.create(url, user, password);
            pool.setMaxConnections(maxConnections);
            Database db = new Database(pool, pool::dispose, url);
            db.check(openTimeout);
            return db;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            com.zaxxer.hikari.HikariConfig hc = new com.zaxxer.hikari.HikariConfig();
            hc.setJdbcUrl(url);
            if (!user.isEmpty()) hc.setUsername(user);
            if (!password.isEmpty()) hc.setPassword(password);
            hc.setMaximumPoolSize(maxConnections);
            hc.setPoolName("leadpipe");
            hc.setInitializationFailTimeout(-1); // reachability is checked below, with a clear message
            com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource(hc);
            Database db = new Database(pool, pool::close, url);
            try {
                db.check(openTimeout);
            } catch (ConfigException e) {
                pool.close();
                throw e;
            }
            return db;
        }
        throw settings.invalid("leadpipe.db.url", url, "is not an H2 (jdbc:h2:) or PostgreSQL (jdbc:postgresql:) URL");
    }

    private static void createH2Directory(String url) {
        String rest = url.substring("jdbc:h2:".length());
        if (rest.startsWith("file:")) rest = rest.substring(5);
        if (rest.startsWith("mem:") || rest.startsWith("tcp:") || rest.startsWith("ssl:")) return;
        int semi = rest.indexOf(';');
        Path file = Path.of(semi < 0 ? rest : rest.substring(0, semi));
        Path dir = file.toAbsolutePath().getParent();
        try {
            if (dir != null) Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ConfigException("cannot create the database directory " + dir + ": " + e.getMessage());
        }
    }

    /** Opens one connection, retrying briefly: another leadpipe process may be opening the same H2 file. */
    private void check(long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            try (Connection c = dataSource.getConnection()) {
                c.isValid(5);
                return;
            } catch (SQLException e) {
                if (System.currentTimeMillis() >= deadline) {
                    throw new ConfigException("cannot open the database " + io.leadpipe.cli.JdbcUrlMask.mask(url) + ": " + e.getMessage().lines().findFirst().orElse(""));
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new ConfigException("interrupted while opening the database " + io.leadpipe.cli.JdbcUrlMask.mask(url));
                }
            }
        }
    }

    /** Brings the schema up to date; a no-op when it already is. */
    public Database migrate() {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        return this;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public String url() {
        return url;
    }

    @Override
    public void close() {
        try {
            closer.close();
        } catch (Exception ignored) {
            // closing a pool at exit: nothing useful to do with a failure
        }
    }
}
