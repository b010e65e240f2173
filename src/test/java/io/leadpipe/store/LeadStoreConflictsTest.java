package io.leadpipe.store;

import org.junit.jupiter.api.Test;

import java.sql.BatchUpdateException;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which database errors mean "another writer of the same leads got in the way" (the page is written again)
 * and which mean the database has rolled back the page's whole transaction (the page is stored again from
 * the start). The texts are H2 2.5.252's and PostgreSQL's own; the deadlock itself is reproduced against
 * H2 in CheckpointRouteTest.
 */
class LeadStoreConflictsTest {

    /** Seen in CI, inside the page's batch: another transaction marked this one as its deadlock victim. */
    private static final SQLException MARKED_AS_VICTIM = new SQLException(
            "General error: \"Transaction 4 has status ROLLING_BACK, not OPEN [2.5.252/103]\"; SQL statement:\nMERGE INTO leads t ...", "HY000", 50000);

    @Test
    void aTransactionH2MarkedAsADeadlockVictimIsRolledBackWhole() {
        BatchUpdateException batch = new BatchUpdateException("batch failed", "HY000", 50000, new int[0], MARKED_AS_VICTIM);
        assertThat(LeadStore.lostInsertRace(batch)).isTrue();
        assertThat(LeadStore.abortedByDatabase(batch)).isTrue();
    }

    @Test
    void racesAndDeadlocksTheDatabaseBrokeAreConflicts() {
        assertThat(LeadStore.lostInsertRace(new SQLException("duplicate key value violates unique constraint", "23505"))).isTrue();
        assertThat(LeadStore.lostInsertRace(new SQLException("Deadlock detected. The current transaction was rolled back.", "40001", 40001))).isTrue();
        assertThat(LeadStore.lostInsertRace(new SQLException("deadlock detected", "40P01"))).isTrue();
        assertThat(LeadStore.lostInsertRace(new SQLException("Timeout trying to lock table", "HYT00", 50200))).isTrue();
        // a deadlock H2 reports itself leaves the transaction open: the savepoint decides (CheckpointRouteTest)
        assertThat(LeadStore.abortedByDatabase(new SQLException("Deadlock detected.", "40001", 40001))).isFalse();
    }

    @Test
    void otherGeneralErrorsAreNotConflicts() {
        SQLException diskFull = new SQLException("General error: \"java.io.IOException: No space left on device [2.5.252/1]\"", "HY000", 50000);
        assertThat(LeadStore.lostInsertRace(diskFull)).isFalse();
        assertThat(LeadStore.abortedByDatabase(diskFull)).isFalse();
        assertThat(LeadStore.lostInsertRace(new SQLException("value too long for column", "22001", 22001))).isFalse();
    }
}
