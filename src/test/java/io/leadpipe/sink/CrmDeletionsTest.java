package io.leadpipe.sink;

import io.leadpipe.testing.TestWorkspace;
import io.leadpipe.sink.fake.CrmFake;
import io.leadpipe.sink.fake.DataverseFake;
import io.leadpipe.sink.fake.HubSpotFake;
import io.leadpipe.sink.fake.PipedriveFake;
import io.leadpipe.sink.fake.SalesforceFake;
import io.leadpipe.sink.fake.ZohoFake;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * leadpipe.sink.crm.on-deleted = delete, per CRM fake: leads delivered, then deleted at the source (what a recurring sync
 * marks), are deleted (HubSpot: archived) in the CRM by the next delivery, once each — the first delete's answer is lost
 * after it took effect, and the retry must count the record as gone instead of failing or deleting twice.
 */
class CrmDeletionsTest {

    private static final int LEADS = 100;
    private static final int DELETED = 10;

    @Test
    void hubSpotArchivesTheContactsOfLeadsDeletedAtTheSourceOnceEachAfterALostAnswer() throws Exception {
        try (HubSpotFake hubspot = new HubSpotFake(CrmWorkspace.TOKEN); TestWorkspace ws = CrmWorkspace.start(LEADS, "hubspot", "")) {
            ws.settings.put("leadpipe.sink.crm.url", hubspot.url());
            List<String> gone = deliverThenDeleteAtSource(ws, hubspot);

            // the default, ignore: the contacts stay, and nothing is asked of the CRM
            long before = hubspot.requests();
            TestWorkspace.CliResult ignored = ws.cli(TestWorkspace.envWithKey(), "deliver");
            assertThat(ignored.exitCode()).as(ignored.out()).isZero();
            assertThat(hubspot.requests()).as("requests with on-deleted = ignore").isEqualTo(before);
            assertThat(hubspot.records()).containsKeys(gone.toArray(String[]::new));

            removeAndCheck(ws, hubspot, gone);
            assertThat(hubspot.archived()).as("in the recycling bin, restorable").containsOnlyKeys(gone);
            assertThat(hubspot.deletesOfGone()).as("archive calls naming a contact archived already").isZero();
            CrmWorkspace.report("hubspot (deletions)", hubspot);
        }
    }

    @Test
    void salesforceDeletesTheRecordsByTheirIdsOnceEachAfterALostAnswer() throws Exception {
        try (SalesforceFake salesforce = new SalesforceFake(CrmWorkspace.TOKEN); TestWorkspace ws = CrmWorkspace.start(LEADS, "salesforce", "")) {
            ws.settings.put("leadpipe.sink.crm.url", salesforce.url());
            List<String> gone = deliverThenDeleteAtSource(ws, salesforce);
            removeAndCheck(ws, salesforce, gone);
            assertThat(salesforce.deletesOfGone()).as("ids sent again after the lost answer (ENTITY_IS_DELETED)").isZero();
            CrmWorkspace.report("salesforce (deletions)", salesforce);
        }
    }

    @Test
    void aRecordSalesforceWillNotDeleteIsDeadLetteredInItsWordsAndRemovedAfterAReplay() throws Exception {
        try (SalesforceFake salesforce = new SalesforceFake(CrmWorkspace.TOKEN); TestWorkspace ws = CrmWorkspace.start(LEADS, "salesforce", "")) {
            ws.settings.put("leadpipe.sink.crm.url", salesforce.url());
            List<String> gone = deliverThenDeleteAtSource(ws, salesforce);
            salesforce.locked.add(gone.get(0)); // an approval process holds it
            ws.settings.put("leadpipe.sink.crm.on-deleted", "delete");

            TestWorkspace.CliResult deliver = ws.cli(TestWorkspace.envWithKey(), "deliver");

            assertThat(deliver.exitCode()).as(deliver.out()).isZero();
            assertThat(deliver.out()).contains((DELETED - 1) + " removed from the CRM this run");
            assertThat(CrmWorkspace.deadLetters(ws, "crm-delete")).isEqualTo(Map.of(
                    "Salesforce did not delete the record: ENTITY_IS_LOCKED: This record is locked. If you need to edit it, contact your admin", 1L));
            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", (long) LEADS - DELETED, "REMOVED", DELETED - 1L, "DEAD", 1L));
            assertThat(salesforce.records()).containsKey(gone.get(0)).hasSize(LEADS - DELETED + 1);

            salesforce.locked.clear(); // unlocked in Salesforce: replay the dead letter, deliver again
            assertThat(ws.cli(Map.of(), "replay", "--stage", "crm-delete").out()).contains("1 dead-lettered leads re-queued (stage crm-delete)");
            TestWorkspace.CliResult again = ws.cli(TestWorkspace.envWithKey(), "deliver");
            assertThat(again.exitCode()).as(again.out()).isZero();
            assertThat(again.out()).contains("1 removed from the CRM this run");
            assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", (long) LEADS - DELETED, "REMOVED", (long) DELETED));
            assertThat(salesforce.records()).hasSize(LEADS - DELETED).doesNotContainKeys(gone.toArray(String[]::new));
            assertThat(salesforce.deletesPerKey().values()).as("each record deleted once").hasSize(DELETED).allMatch(n -> n == 1);
        }
    }

    @Test
    void pipedriveDeletesThePersonsOnceEachAfterALostAnswer() throws Exception {
        try (PipedriveFake pipedrive = new PipedriveFake(CrmWorkspace.TOKEN); TestWorkspace ws = CrmWorkspace.start(LEADS, "pipedrive", "")) {
            ws.settings.put("leadpipe.sink.crm.url", pipedrive.url());
            List<String> gone = deliverThenDeleteAtSource(ws, pipedrive);
            removeAndCheck(ws, pipedrive, gone);
            assertThat(pipedrive.deletesOfGone()).as("deletes of a person deleted already: the retry searched first").isZero();
            assertThat(pipedrive.deleteRequests()).as("one DELETE per person").isEqualTo(DELETED);
            CrmWorkspace.report("pipedrive (deletions)", pipedrive);
        }
    }

    @Test
    void dataverseDeletesTheRowsByKeyAndA404AfterALostAnswerCountsAsDone() throws Exception {
        try (DataverseFake dataverse = new DataverseFake(CrmWorkspace.TOKEN); TestWorkspace ws = DataverseSinkTest.dataverse(dataverse, LEADS)) {
            List<String> gone = deliverThenDeleteAtSource(ws, dataverse);
            removeAndCheck(ws, dataverse, gone);
            // a delete by key is safe to repeat: the one whose answer was lost is sent again and answered 404
            assertThat(dataverse.deletesOfGone()).as("deletes answered 404").isEqualTo(1);
            assertThat(dataverse.deleteRequests()).isEqualTo(DELETED + 1);
            CrmWorkspace.report("dataverse (deletions)", dataverse);
        }
    }

    @Test
    void zohoDeletesTheLeadsByTheirIdsOnceEachAfterALostAnswer() throws Exception {
        try (ZohoFake zoho = new ZohoFake(CrmWorkspace.TOKEN); TestWorkspace ws = CrmWorkspace.start(LEADS, "zoho", "")) {
            ws.settings.put("leadpipe.sink.crm.url", zoho.url());
            List<String> gone = deliverThenDeleteAtSource(ws, zoho);
            removeAndCheck(ws, zoho, gone);
            assertThat(zoho.deletesOfGone()).as("ids sent again after the lost answer").isZero();
            CrmWorkspace.report("zoho (deletions)", zoho);
        }
    }

    /**
     * Pulls and delivers {@value #LEADS} leads, then marks {@value #DELETED} of them deleted at the source, one of them changed
     * after its delivery (NEW again: still in the CRM); returns their CRM ids.
     */
    private static List<String> deliverThenDeleteAtSource(TestWorkspace ws, CrmFake crm) throws Exception {
        TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
        assertThat(run.exitCode()).as(run.out()).isZero();
        assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", (long) LEADS));
        assertThat(crm.records()).hasSize(LEADS);
        List<String> gone = new ArrayList<>();
        try (Connection db = ws.db(); Statement st = db.createStatement()) {
            // what a recurring sync does with a record the vendor flags deleted (store.DeltaWatermarks#markDeleted)
            assertThat(st.executeUpdate("UPDATE leads SET deleted_at_source = CURRENT_TIMESTAMP WHERE lead_key IN "
                    + "(SELECT lead_key FROM leads ORDER BY lead_key FETCH FIRST " + DELETED + " ROWS ONLY)")).isEqualTo(DELETED);
            st.executeUpdate("UPDATE leads SET sink_status = 'NEW' WHERE lead_key = (SELECT MIN(lead_key) FROM leads)");
            try (ResultSet rs = st.executeQuery("SELECT crm_id FROM leads WHERE deleted_at_source IS NOT NULL")) {
                while (rs.next()) gone.add(rs.getString(1).toLowerCase(Locale.ROOT));
            }
        }
        assertThat(crm.records()).containsKeys(gone.toArray(String[]::new));
        return gone;
    }

    /** on-deleted = delete, the first delete's answer lost: every record gone once, the others untouched, and counted. */
    private static void removeAndCheck(TestWorkspace ws, CrmFake crm, List<String> gone) throws Exception {
        ws.settings.put("leadpipe.sink.crm.on-deleted", "delete");
        crm.loseDeleteAnswers.set(1);

        TestWorkspace.CliResult deliver = ws.cli(TestWorkspace.envWithKey(), "deliver");

        assertThat(deliver.exitCode()).as(deliver.out()).isZero();
        assertThat(deliver.out()).contains(DELETED + " removed from the CRM this run");
        assertThat(crm.lostDeleteAnswers()).as("delete answers lost").isEqualTo(1);
        assertThat(crm.records()).as("records left in the CRM").hasSize(LEADS - DELETED).doesNotContainKeys(gone.toArray(String[]::new));
        assertThat(crm.deletesPerKey()).as("deletions per record").containsOnlyKeys(gone);
        assertThat(crm.deletesPerKey().values()).as("each record deleted once").allMatch(n -> n == 1);
        assertThat(ws.sinkStatuses()).isEqualTo(Map.of("DELIVERED", (long) LEADS - DELETED, "REMOVED", (long) DELETED));
        assertThat(ws.storedLeadKeys()).as("kept in leadpipe").hasSize(LEADS);

        // nothing left to remove: the next delivery asks the CRM nothing
        long requests = crm.requests();
        TestWorkspace.CliResult again = ws.cli(TestWorkspace.envWithKey(), "deliver");
        assertThat(again.exitCode()).as(again.out()).isZero();
        assertThat(again.out()).contains("0 removed from the CRM this run");
        assertThat(crm.requests()).as("requests of a delivery with nothing to do").isEqualTo(requests);
    }
}
