package db.migration;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Leads belong to their source, and to every job that saw them:
 * <ul>
 *   <li>{@code lead_jobs}: one row per job and lead (the job's latest pull and page that saw it), so jobs whose
 *       lists overlap each keep their leads — their counts, completeness proof and export — however many jobs
 *       store the same lead; filled from the leads' own job for the rows already stored;</li>
 *   <li>{@code leads} keyed by (source, lead_key): two APIs whose ids look alike (small integers) keep their
 *       own leads. Every stored row already carries its source (written from its job's source since V1);</li>
 *   <li>{@code dead_letter.source}, filled from the lead it belongs to.</li>
 * </ul>
 * Java, not SQL, because the old primary key has to be found before it is dropped (H2 names it
 * CONSTRAINT_n, PostgreSQL leads_pkey). Every step looks at what is there first, so after a crash half-way
 * (H2 commits each DDL statement on its own) the next start finishes it; {@link #STEPS} run in order.
 */
public class V8__leads_by_source_and_job extends BaseJavaMigration {

    /** The steps in order, each safe to run again; a test runs the first n of them and then the migration. */
    public static final List<String> STEPS = List.of(
            "CREATE TABLE IF NOT EXISTS lead_jobs ("
                    + " job_id VARCHAR(200) NOT NULL, source VARCHAR(200) NOT NULL, lead_key VARCHAR NOT NULL,"
                    + " pull_id VARCHAR(64), page_no INTEGER NOT NULL,"
                    + " first_seen_at TIMESTAMP WITH TIME ZONE NOT NULL, last_seen_at TIMESTAMP WITH TIME ZONE NOT NULL,"
                    + " PRIMARY KEY (job_id, source, lead_key))",
            "CREATE INDEX IF NOT EXISTS lead_jobs_pull ON lead_jobs (job_id, pull_id)",
            "CREATE INDEX IF NOT EXISTS lead_jobs_lead ON lead_jobs (source, lead_key)",
            "INSERT INTO lead_jobs (job_id, source, lead_key, pull_id, page_no, first_seen_at, last_seen_at)"
                    + " SELECT l.job_id, l.source, l.lead_key, l.pull_id, l.page_no, l.fetched_at, l.fetched_at FROM leads l"
                    + " WHERE NOT EXISTS (SELECT 1 FROM lead_jobs j WHERE j.job_id = l.job_id AND j.source = l.source AND j.lead_key = l.lead_key)",
            "ALTER TABLE dead_letter ADD COLUMN IF NOT EXISTS source VARCHAR(200)",
            // before the re-keying, a lead_key names one lead
            "UPDATE dead_letter SET source = (SELECT MIN(l.source) FROM leads l WHERE l.lead_key = dead_letter.lead_key) WHERE source IS NULL",
            "DROP PRIMARY KEY leads (lead_key)",
            "ADD PRIMARY KEY leads (source, lead_key)");

    @Override
    public void migrate(Context context) throws Exception {
        run(context.getConnection(), STEPS.size());
    }

    /** The first {@code n} steps. */
    public static void run(Connection c, int n) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String step : STEPS.subList(0, n)) {
                if (step.startsWith("DROP PRIMARY KEY")) dropLeadKeyOnly(c, st);
                else if (step.startsWith("ADD PRIMARY KEY")) addSourceAndKey(c, st);
                else st.execute(step);
            }
        }
    }

    private static void dropLeadKeyOnly(Connection c, Statement st) throws SQLException {
        PrimaryKey pk = primaryKey(c);
        if (pk == null || !pk.columns.equals(List.of("lead_key"))) return;
        if (isPostgres(c)) st.execute("ALTER TABLE leads DROP CONSTRAINT \"" + pk.name + "\"");
        else st.execute("ALTER TABLE leads DROP PRIMARY KEY");
    }

    private static void addSourceAndKey(Connection c, Statement st) throws SQLException {
        if (primaryKey(c) == null) st.execute("ALTER TABLE leads ADD CONSTRAINT leads_source_key PRIMARY KEY (source, lead_key)");
    }

    private record PrimaryKey(String name, List<String> columns) {}

    private static PrimaryKey primaryKey(Connection c) throws SQLException {
        DatabaseMetaData meta = c.getMetaData();
        String table = meta.storesUpperCaseIdentifiers() ? "LEADS" : "leads";
        String name = null;
        List<String> columns = new ArrayList<>();
        try (ResultSet rs = meta.getPrimaryKeys(null, c.getSchema(), table)) {
            List<String[]> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(new String[]{rs.getString("PK_NAME"), rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT), rs.getString("KEY_SEQ")});
            }
            rows.sort((a, b) -> Integer.parseInt(a[2]) - Integer.parseInt(b[2]));
            for (String[] r : rows) {
                name = r[0];
                columns.add(r[1]);
            }
        }
        return columns.isEmpty() ? null : new PrimaryKey(name, columns);
    }

    private static boolean isPostgres(Connection c) throws SQLException {
        return c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres");
    }
}
