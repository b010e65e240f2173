package io.leadpipe.store;

import io.leadpipe.config.ConfigException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.RepairResult;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The schema of a {@link Database}: Flyway's migrations under one upgrade lock, an upgrade a kill interrupted finished
 * first, `leadpipe repair`, and what an unusable schema means in words a user can act on.
 */
final class SchemaMigration {

    private final DataSource dataSource;
    private final String url;
    private final long openTimeoutMillis;
    private final long upgradeWaitMillis;
    private java.util.List<String> putBack = java.util.List.of();

    SchemaMigration(DataSource dataSource, String url, long openTimeoutMillis, long upgradeWaitMillis) {
        this.dataSource = dataSource;
        this.url = url;
        this.openTimeoutMillis = openTimeoutMillis;
        this.upgradeWaitMillis = upgradeWaitMillis;
    }

    /** Brings the schema up to date; a no-op when it already is. */
    void migrate() {
        long deadline = System.currentTimeMillis() + openTimeoutMillis;
        while (true) {
            try (SchemaUpgradeLock lock = upgradeLock()) {
                finishInterruptedUpgrade();
                if (putBack.isEmpty() && isCurrent()) return; // nothing to migrate: Flyway's scan skipped
                flyway().migrate();
                return;
            } catch (FlywayException | ConfigException e) {
                // H2 AUTO_SERVER: the process that served the file was closing it as this one connected; the next
                // connection opens the file or reaches its new server (the migrations are safe to run again)
                if (!serverWasChanging(e) || System.currentTimeMillis() >= deadline) {
                    throw e instanceof FlywayException f ? new ConfigException(explainUnusableSchema(f)) : (ConfigException) e;
                }
                pause();
            }
        }
    }

    private static boolean serverWasChanging(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && (s.getErrorCode() == org.h2.api.ErrorCode.DATABASE_CALLED_AT_SHUTDOWN
                    || s.getErrorCode() == org.h2.api.ErrorCode.DATABASE_IS_CLOSED || s.getErrorCode() == org.h2.api.ErrorCode.CONNECTION_BROKEN_1
                    || s.getErrorCode() == org.h2.api.ErrorCode.ERROR_OPENING_DATABASE_1)) return true;
        }
        return false;
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new ConfigException("interrupted while opening the database");
        }
    }

    /**
     * `leadpipe repair`: Flyway repair (drops the history rows of migrations that failed, realigns
     * checksums), then the migrations again — each is safe to re-run over a half-applied one.
     */
    RepairResult repair() {
        try (SchemaUpgradeLock lock = upgradeLock()) {
            finishInterruptedUpgrade();
            RepairResult result = flyway().repair();
            flyway().migrate();
            return result;
        } catch (FlywayException e) {
            throw new ConfigException("repair could not finish the schema of " + url.split(";")[0] + ": " + firstLines(e));
        }
    }

    /** The schema version after the last successful migration. */
    String version() {
        var current = flyway().info().current();
        return current == null ? "none" : current.getVersion().getVersion();
    }

    private boolean isCurrent() {
        try (Connection c = dataSource.getConnection()) {
            return CurrentSchema.isCurrent(c);
        } catch (SQLException e) {
            return false;
        }
    }

    private Flyway flyway() {
        return Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load();
    }

    /** What the last start put back of an upgrade a kill interrupted (H2's table copies), one line each. */
    java.util.List<String> putBack() {
        return putBack;
    }

    /**
     * Before Flyway: checksums of the rewritten migrations, and on H2 the tables an ALTER TABLE was copying when
     * the process was killed (see {@link H2TableCopies}), so that the migration runs again over whole tables.
     */
    private void finishInterruptedUpgrade() {
        try (Connection c = dataSource.getConnection()) {
            if (url.startsWith("jdbc:h2:")) putBack = H2TableCopies.recover(c);
            putBack.forEach(line -> org.slf4j.LoggerFactory.getLogger(Database.class).warn("{} (a schema upgrade was interrupted)", line));
            RerunnableMigrations.acceptRewrittenChecksums(c);
        } catch (SQLException e) {
            ConfigException failure = new ConfigException("cannot read the schema history of " + url.split(";")[0] + ": " + e.getMessage().lines().findFirst().orElse(""));
            failure.initCause(e); // told apart by its error code: a server closing is waited for
            throw failure;
        }
    }

    /** Held while the schema is checked and upgraded: one process at a time on a local H2 file; null elsewhere (PostgreSQL: Flyway's advisory lock). */
    private SchemaUpgradeLock upgradeLock() {
        Path file = Database.h2File(url);
        return file == null ? null : SchemaUpgradeLock.take(file, upgradeWaitMillis);
    }

    private String explainUnusableSchema(FlywayException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && (s.getErrorCode() == org.h2.api.ErrorCode.LOCK_TIMEOUT_1 || s.getErrorCode() == org.h2.api.ErrorCode.ERROR_OPENING_DATABASE_1)) {
                return "the database " + url.split(";")[0] + " is busy (" + s.getMessage().lines().findFirst().orElse("") + "): another process holds it;"
                        + " nothing was changed — start again (leadpipe.db.open-timeout-ms is how long leadpipe waits for it)";
            }
        }
        return "the database schema of " + url.split(";")[0] + " is not usable: " + firstLines(e)
                + " — this happens when leadpipe is stopped (kill -9, a crash, a full disk) while it upgrades the schema;"
                + " run `leadpipe repair` to clear the unfinished upgrade from the schema history and run it again (your leads and checkpoints are kept)";
    }

    /** Flyway's own explanation without its boilerplate, on one line. */
    private static String firstLines(FlywayException e) {
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        StringBuilder b = new StringBuilder();
        for (String line : text.split("\n")) {
            String t = line.trim();
            if (t.isEmpty() || t.startsWith("Validate failed") || t.startsWith("Please remove") || t.startsWith("Need more flexibility")
                    || t.startsWith("Location") || t.startsWith("Line") || t.startsWith("Statement") || t.startsWith("-") || t.startsWith("SQL State")
                    || t.startsWith("Error Code") || t.startsWith("Message")) continue;
            if (b.length() > 0) b.append("; ");
            b.append(t.endsWith(".") ? t.substring(0, t.length() - 1) : t);
            if (b.length() > 300) break;
        }
        return b.toString();
    }
}
