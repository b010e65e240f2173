package io.leadpipe.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How big the database is and how much of it is live data, for `status` and `compact`. H2: the file's size and
 * H2's own fill rates (the share of the file its chunks use × the share of those chunks still live), read through
 * SQL, so also through another process's auto-server. PostgreSQL: pg_database_size, leadpipe's tables
 * (pg_total_relation_size) and their dead rows, which VACUUM (autovacuum, or the operator's) makes reusable.
 *
 * @param bytes     the file (H2) or the database (PostgreSQL) on disk
 * @param liveBytes H2: about how much of it is live data; PostgreSQL: leadpipe's tables, indexes included
 * @param deadRows  PostgreSQL: rows updated or deleted and not vacuumed yet; H2: 0
 * @param liveRows  PostgreSQL: live rows of leadpipe's tables; H2: 0
 */
public record StoreSize(boolean h2, long bytes, long liveBytes, long deadRows, long liveRows) {

    /** H2 writes its fill rates as whole percent: the live share of the file is their product. */
    static StoreSize ofH2(Connection c, Path file) throws SQLException {
        Map<String, Long> info = new HashMap<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT SETTING_NAME, SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS "
                     + "WHERE SETTING_NAME IN ('info.FILE_SIZE', 'info.FILL_RATE', 'info.CHUNKS_FILL_RATE')")) {
            while (rs.next()) info.put(rs.getString(1), Long.parseLong(rs.getString(2).trim()));
        }
        long storeBytes = info.getOrDefault("info.FILE_SIZE", 0L);
        long bytes = storeBytes;
        try {
            if (file != null && Files.exists(file)) bytes = Files.size(file);
        } catch (java.io.IOException e) {
            // the store's own figure stands
        }
        long live = storeBytes * info.getOrDefault("info.FILL_RATE", 100L) / 100 * info.getOrDefault("info.CHUNKS_FILL_RATE", 100L) / 100;
        return new StoreSize(true, bytes, Math.min(live, bytes), 0, 0);
    }

    static StoreSize ofPostgres(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_database_size(current_database()), "
                     + "(SELECT COALESCE(SUM(pg_total_relation_size(relid)), 0) FROM pg_stat_user_tables WHERE schemaname = current_schema()), "
                     + "(SELECT COALESCE(SUM(n_dead_tup), 0) FROM pg_stat_user_tables WHERE schemaname = current_schema()), "
                     + "(SELECT COALESCE(SUM(n_live_tup), 0) FROM pg_stat_user_tables WHERE schemaname = current_schema())")) {
            rs.next();
            return new StoreSize(false, rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
        }
    }

    /** The size of the database behind this pool, as `status` shows it. */
    public static StoreSize of(Database db) throws SQLException {
        try (Connection c = db.dataSource().getConnection()) {
            return db.isH2() ? ofH2(c, h2DataFile(db.url())) : ofPostgres(c);
        }
    }

    /** The H2 database's data file (./data/leadpipe.mv.db), or null when it is not a local file. */
    static Path h2DataFile(String url) {
        Path base = Database.h2File(url);
        return base == null ? null : base.resolveSibling(base.getFileName() + ".mv.db");
    }

    /** Live data ÷ size, in percent (H2); live rows ÷ all rows (PostgreSQL). */
    public int livePercent() {
        if (h2) return bytes == 0 ? 100 : (int) Math.round(100.0 * liveBytes / bytes);
        return liveRows + deadRows == 0 ? 100 : (int) Math.round(100.0 * liveRows / (liveRows + deadRows));
    }

    /** One line for `status`. */
    public String describe() {
        if (h2) {
            return String.format(Locale.ROOT, "%s on disk, about %s of it live data (%d%%)%s", mib(bytes), mib(liveBytes), livePercent(),
                    livePercent() < 67 ? " — `leadpipe compact` gives the rest back" : "");
        }
        return String.format(Locale.ROOT, "%s (pg_database_size), leadpipe's tables %s (pg_total_relation_size); %,d dead rows of %,d (%d%% live) — "
                + "VACUUM (autovacuum, or yours) makes their space reusable", mib(bytes), mib(liveBytes), deadRows, liveRows + deadRows, livePercent());
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
