package db.migration;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Statement;

/**
 * Quartz's JDBC job store, for scheduled jobs on a cluster of leadpipe instances sharing one PostgreSQL.
 * The DDL is the one Quartz ships in its own jar (tables_postgres.sql), run as it is; on H2 (one
 * instance) scheduling uses Quartz's in-memory store and needs no tables.
 */
public class V4__quartz_job_store extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        String product = context.getConnection().getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT);
        if (!product.contains("postgres")) return;
        String script;
        try (InputStream in = org.quartz.Scheduler.class.getResourceAsStream("/org/quartz/impl/jdbcjobstore/tables_postgres.sql")) {
            if (in == null) throw new IOException("tables_postgres.sql is missing from the quartz jar");
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        StringBuilder sql = new StringBuilder();
        for (String line : script.split("\n")) {
            String t = line.trim();
            if (t.startsWith("--") || t.isEmpty()) continue;
            sql.append(line).append('\n');
        }
        try (Statement st = context.getConnection().createStatement()) {
            for (String statement : sql.toString().split(";")) {
                String s = statement.trim();
                if (s.isEmpty() || s.equalsIgnoreCase("commit")) continue;
                st.execute(s);
            }
        }
    }
}
