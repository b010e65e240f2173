package io.leadpipe.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * H2 AUTO_SERVER: the first process to open the file holds it and serves it over loopback to the other
 * leadpipe processes. When that process closed the database while another was in the middle of a page, the
 * other's connection broke ("Database is already closed") and its pull failed with a RUNNING checkpoint. So
 * the serving process, at its end, waits while other processes are connected (bounded by
 * leadpipe.db.serve-others-ms), then closes.
 */
final class H2Server {

    private static final Logger LOG = LoggerFactory.getLogger(H2Server.class);

    private H2Server() {
    }

    static void keepServingOthers(DataSource dataSource, long maxMillis) {
        long deadline = System.currentTimeMillis() + maxMillis;
        boolean said = false;
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            if (!servesTheFile(st)) return;
            while (true) {
                int others = remoteSessions(st);
                if (others == 0) return;
                if (System.currentTimeMillis() >= deadline) {
                    LOG.warn("closing the database although {} session(s) of other leadpipe processes still use it (leadpipe.db.serve-others-ms = {})", others, maxMillis);
                    return;
                }
                if (!said) {
                    LOG.info("this process serves the H2 database to {} session(s) of other leadpipe processes: it ends when they are done (at most leadpipe.db.serve-others-ms = {} ms)", others, maxMillis);
                    said = true;
                }
                Thread.sleep(200);
            }
        } catch (SQLException e) {
            // the database is already closing or broken: nothing left to serve
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True when this process opened the file itself (its session is embedded), rather than through another's server. */
    private static boolean servesTheFile(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT SERVER FROM INFORMATION_SCHEMA.SESSIONS WHERE SESSION_ID = SESSION_ID()")) {
            return rs.next() && rs.getString(1) == null;
        }
    }

    private static int remoteSessions(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE SERVER IS NOT NULL")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
