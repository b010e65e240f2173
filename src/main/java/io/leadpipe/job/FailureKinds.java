package io.leadpipe.job;

import org.apache.camel.Exchange;

import java.io.IOException;
import java.sql.SQLException;
import java.util.Locale;

/**
 * Which failures are worth another attempt. A database error often carries an IOException as its cause
 * (H2 on a full disk: "IO Exception: No space left on device"), and Camel matches onException clauses on
 * the deepest cause first — so without this a full disk was retried as if the API had hiccuped.
 */
public final class FailureKinds {

    /** MVStore's codes for a store that cannot go on: reading or writing failed, closed, corrupt. */
    private static final java.util.Set<Integer> STORE_GONE = java.util.Set.of(org.h2.mvstore.DataUtils.ERROR_READING_FAILED,
            org.h2.mvstore.DataUtils.ERROR_WRITING_FAILED, org.h2.mvstore.DataUtils.ERROR_CLOSED, org.h2.mvstore.DataUtils.ERROR_FILE_CORRUPT);

    /** For routes/errors.yaml: an IOException from the network, not from the database. */
    public boolean isTransient(Exchange exchange) {
        Throwable t = exchange.getException();
        if (t == null) t = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        return !isDatabase(t);
    }

    /**
     * The failure itself, not what failed after it: when a transaction's work fails and its rollback fails too (the
     * connection the pool closed as broken: "Connection is closed"), Spring throws the rollback's failure and keeps the
     * work's as its application exception. A sliced job on a full disk read "SQLException: Connection is closed".
     */
    public static Throwable original(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof org.springframework.transaction.TransactionSystemException rollback && rollback.getApplicationException() != null) {
                return rollback.getApplicationException();
            }
        }
        return t;
    }

    /** The failure's cause chain, from {@link #original}: what the checks below and the explainer look through. */
    static java.util.List<Throwable> causes(Throwable t) {
        java.util.List<Throwable> chain = new java.util.ArrayList<>();
        for (Throwable c = original(t); c != null && !chain.contains(c); c = c.getCause()) chain.add(c);
        return chain;
    }

    /** The database (JDBC, or camel-sql's Spring JDBC layer) failed somewhere in the chain. */
    public static boolean isDatabase(Throwable t) {
        for (Throwable c : causes(t)) {
            if (c instanceof SQLException || c.getClass().getName().startsWith("org.springframework.dao.")
                    || c.getClass().getName().startsWith("org.h2.mvstore.")) return true;
        }
        return false;
    }

    /**
     * The H2 file closed under this process: its store failed to write or read, or found the file corrupt or closed
     * (MVStoreException with those codes: a full disk), or H2 says the database is closed (90098). Every pooled
     * connection is then broken and no new one can be had, so nothing more is asked of it for a while. Not this: a lock
     * timeout, a concurrent update or a deadlock (MVStoreException 101, 105 under H2's own 50200, 90131, 40001: the file
     * is fine); "already closed" (90121), which an auto-server client meets when the serving process closed the file
     * (a new connection takes the file over) and a connection opened while its thread was interrupted; a broken
     * connection to another process's auto-server or to PostgreSQL (a new one may work).
     */
    public static boolean databaseClosed(Throwable t) {
        for (Throwable c : causes(t)) {
            if (c instanceof org.h2.mvstore.MVStoreException store && STORE_GONE.contains(store.getErrorCode())) return true;
            if (c instanceof SQLException sql && sql.getErrorCode() == 90098) return true;
        }
        return false;
    }

    /**
     * A database that cannot take writes: a full disk, an I/O error under it, read-only. PostgreSQL says
     * disk_full (SQLSTATE 53100) or insufficient resources (53xxx); H2 wraps the IOException (90028) or
     * says read only (90097).
     */
    public static boolean cannotWrite(Throwable t) {
        if (!isDatabase(t)) return false;
        for (Throwable c : causes(t)) {
            if (c instanceof IOException) return true;
            if (c instanceof SQLException sql) {
                String state = sql.getSQLState();
                if (state != null && state.startsWith("53")) return true;
                if (sql.getErrorCode() == 90028 || sql.getErrorCode() == 90097) return true;
            }
            String msg = c.getMessage() == null ? "" : c.getMessage().toLowerCase(Locale.ROOT);
            if (msg.contains("no space left") || msg.contains("disk full") || msg.contains("read only") || msg.contains("read-only")) return true;
        }
        return false;
    }
}
