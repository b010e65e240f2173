package io.leadpipe.sink;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.store.Database;
import io.leadpipe.store.DeadLetters;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `replay --job` re-queues the dead letters of the leads that job saw (lead_jobs), also a lead another job
 * stored first, and only that source's lead when two sources share an id.
 */
class ReplayByJobTest {

    @Test
    void replayByJobTakesTheLeadsTheJobSawWhicheverJobStoredThemFirst() throws Exception {
        try (TestWorkspace ws = new TestWorkspace();
             Database db = ws.openDatabase();
             Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            // lead 7 of api-a: stored first by job first, seen by job second too; lead 7 of api-b: job other's only
            st.execute("INSERT INTO leads (source, lead_key, job_id, page_no, payload, fetched_at, sink_status) VALUES "
                    + "('api-a', '7', 'first', 1, '{}', CURRENT_TIMESTAMP, 'DEAD'), ('api-b', '7', 'other', 1, '{}', CURRENT_TIMESTAMP, 'DEAD')");
            st.execute("INSERT INTO lead_jobs (job_id, source, lead_key, page_no, first_seen_at, last_seen_at) VALUES "
                    + "('first', 'api-a', '7', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), ('second', 'api-a', '7', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), "
                    + "('other', 'api-b', '7', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
            st.execute("INSERT INTO dead_letter (source, lead_key, job_id, stage, reason, attempts, created_at) VALUES "
                    + "('api-a', '7', 'first', 'crm', 'refused', 1, CURRENT_TIMESTAMP), ('api-b', '7', 'other', 'crm', 'refused', 1, CURRENT_TIMESTAMP)");

            assertThat(new DeadLetters(db).replay(null, "second")).as("leads re-queued for job second").isEqualTo(1);

            Map<String, String> status = new TreeMap<>();
            try (ResultSet rs = st.executeQuery("SELECT source, sink_status FROM leads")) {
                while (rs.next()) status.put(rs.getString(1), rs.getString(2));
            }
            assertThat(status).isEqualTo(Map.of("api-a", "NEW", "api-b", "DEAD"));
            try (ResultSet rs = st.executeQuery("SELECT source FROM dead_letter")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).as("the other source's dead letter stays").isEqualTo("api-b");
                assertThat(rs.next()).isFalse();
            }
        }
    }
}
