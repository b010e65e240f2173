package io.leadpipe.store;

import io.leadpipe.ratelimit.SharedWindow;
import io.leadpipe.ratelimit.SharedWindowStore;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.function.Function;

/**
 * rate_limit_window (V14): one row per API key (by digest), read with SELECT … FOR UPDATE and written in the
 * same short transaction, so instances taking permits at once queue on the row and never hand out one
 * permit twice. The same SQL on H2 and PostgreSQL.
 */
public final class SharedWindowTable implements SharedWindowStore {

    private static final int QUERY_TIMEOUT_SECONDS = 5; // a lock held by a stalled instance must not hang a request for ever

    private final DataSource dataSource;

    public SharedWindowTable(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public <T> T change(String keySha256, String name, long now, Function<SharedWindow, Change<T>> change) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                boolean autoCommit = c.getAutoCommit();
                c.setAutoCommit(false);
                try {
                    SharedWindow row = read(c, keySha256);
                    Change<T> result = change.apply(row == null ? SharedWindow.EMPTY : row);
                    if (row == null) insert(c, keySha256, name, result.next(), now);
                    else if (!result.next().equals(row)) update(c, keySha256, result.next(), now);
                    c.commit();
                    return result.result();
                } catch (SQLException e) {
                    c.rollback();
                    // two instances creating the key's row at once: the loser reads the winner's row
                    if (attempt < 3 && e.getSQLState() != null && e.getSQLState().startsWith("23")) continue;
                    throw e;
                } finally {
                    c.setAutoCommit(autoCommit);
                }
            }
        }
    }

    private static SharedWindow read(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT window_limit, reset_at_ms, taken, taken_late, counted_from_ms, paused_until_ms "
                + "FROM rate_limit_window WHERE key_sha256 = ? FOR UPDATE")) {
            ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return null;
                return new SharedWindow(longOrNull(rs, 1), longOrNull(rs, 2), rs.getLong(3), rs.getLong(4), longOrNull(rs, 5), longOrNull(rs, 6));
            }
        }
    }

    private static void insert(Connection c, String key, String name, SharedWindow w, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO rate_limit_window (window_limit, reset_at_ms, taken, taken_late, counted_from_ms, "
                + "paused_until_ms, updated_at_ms, key_sha256, name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            bind(ps, w, now);
            ps.setString(8, key);
            ps.setString(9, name.length() > 200 ? name.substring(0, 200) : name);
            ps.executeUpdate();
        }
    }

    private static void update(Connection c, String key, SharedWindow w, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE rate_limit_window SET window_limit = ?, reset_at_ms = ?, taken = ?, taken_late = ?, "
                + "counted_from_ms = ?, paused_until_ms = ?, updated_at_ms = ? WHERE key_sha256 = ?")) {
            ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            bind(ps, w, now);
            ps.setString(8, key);
            ps.executeUpdate();
        }
    }

    private static void bind(PreparedStatement ps, SharedWindow w, long now) throws SQLException {
        setLong(ps, 1, w.limit());
        setLong(ps, 2, w.resetAtMs());
        ps.setLong(3, w.taken());
        ps.setLong(4, w.takenLate());
        setLong(ps, 5, w.countedFromMs());
        setLong(ps, 6, w.pausedUntilMs());
        ps.setLong(7, now);
    }

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) ps.setNull(i, Types.BIGINT);
        else ps.setLong(i, v);
    }

    private static Long longOrNull(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }
}
