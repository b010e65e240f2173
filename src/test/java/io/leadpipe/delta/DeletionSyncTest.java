package io.leadpipe.delta;

import io.leadpipe.testing.SourceRecords;
import io.leadpipe.testing.TestWorkspace;
import io.leadpipe.testing.VendorFake;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;

import io.leadpipe.delta.RecurringSyncTest.Vendor;

import static org.assertj.core.api.Assertions.assertThat;
import static io.leadpipe.delta.RecurringSyncTest.N;
import static io.leadpipe.delta.RecurringSyncTest.lead;
import static io.leadpipe.delta.RecurringSyncTest.report;
import static io.leadpipe.delta.RecurringSyncTest.workspace;

/**
 * A recurring sync's deletions, in each vendor's way: HubSpot's archived listing, Pipedrive's changes feed (also once
 * for a sliced job), a complete full pull's reconciliation where the vendor shows none, and `verify` for a source whose
 * deltas cannot see them. (Apart from RecurringSyncTest so that the two run in parallel test JVMs.)
 */
class DeletionSyncTest {

    /**
     * HubSpot lists archived (deleted) contacts apart, with archived=true: a sync on the hubspot profile is followed by that
     * listing, paged like the first, which marks them deleted at the source (kept); one restored later is unmarked by the
     * next sync, and the report says how many the listing marked.
     */
    @Test
    @Timeout(120)
    void aHubSpotSyncListsTheArchivedContactsAndMarksThemDeletedAtTheSource() throws Exception {
        SourceRecords data = new SourceRecords(N, DeltaFakes.ids("hubspot"), Duration.ZERO);
        try (VendorFake fake = DeltaFakes.hubspotList(data); TestWorkspace ws = workspace(List.of(new Vendor("hubspot", data, fake)))) {
            ws.settings.put("leadpipe.source.hubspot.page-size", "20"); // the archived listing takes pages too
            TestWorkspace.CliResult first = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(first.exitCode()).as(first.out() + first.err()).isZero();
            int firstRequests = fake.requests();
            assertThat(firstRequests).as("the list in pages of 20, then the (empty) archived listing: one page").isEqualTo((N + 19) / 20 + 1);
            List<String> deleted = data.delete(30);
            assertThat(deleted).hasSize(30);

            TestWorkspace.CliResult second = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(second.exitCode()).as(second.out() + second.err()).isZero();
            int listLive = (N - 30 + 19) / 20;
            assertThat(fake.requests() - firstRequests).as("the live list again, then 30 archived contacts in pages of 20").isEqualTo(listLive + 2);
            for (String id : deleted) assertThat(lead(ws, id)).as("archived at the source: kept, and marked " + id).containsEntry("deleted", true);
            assertThat(ws.storedLeadKeys()).hasSize(N);
            String said = report(second.out(), "hubspot-sync");
            assertThat(said).contains("deletions       archived=true: 30 records listed deleted, marked deleted at the source (2 requests, job hubspot-sync.deleted)")
                    .contains("30 deleted at the source");
            assertThat(ws.checkpoint("hubspot-sync.deleted")).containsEntry("status", "DONE");

            data.restore(deleted.get(0)); // restored from the recycling bin: live again
            TestWorkspace.CliResult third = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(third.exitCode()).as(third.out() + third.err()).isZero();
            assertThat(lead(ws, deleted.get(0))).as("restored at the source: unmarked").containsEntry("deleted", false);
            assertThat(lead(ws, deleted.get(1))).containsEntry("deleted", true);
            assertThat(report(third.out(), "hubspot-sync")).contains("archived=true: 29 records listed deleted");
        }
    }

    /**
     * Where the vendor shows no deletions (Apollo: no delta filter, a full pull each run), a COMPLETE full pull marks the
     * leads it no longer lists deleted at the source — never a pull that failed part-way, nor one that would mark more than
     * leadpipe.incremental.reconcile-max-share of the job's leads — and says how many; one listed again is unmarked.
     */
    @Test
    @Timeout(120)
    void aCompleteFullPullMarksWhatItNoLongerListsAndAPartialOneNothing() throws Exception {
        SourceRecords data = new SourceRecords(N, DeltaFakes.ids("apollo"), Duration.ZERO);
        java.util.concurrent.atomic.AtomicInteger failFrom = new java.util.concurrent.atomic.AtomicInteger();
        try (VendorFake fake = DeltaFakes.apollo(data, failFrom); TestWorkspace ws = workspace(List.of(new Vendor("apollo", data, fake)))) {
            TestWorkspace.CliResult first = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(first.exitCode()).as(first.out() + first.err()).isZero();
            assertThat(report(first.out(), "apollo-sync")).as("a first pull: nothing seen before").contains("reconciled      0 leads this job saw before");
            List<String> deleted = data.delete(3);

            failFrom.set(2); // the next pull fails at its second page: it proves nothing about what it did not read
            TestWorkspace.CliResult failed = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(failed.exitCode()).as(failed.out()).isNotZero();
            for (String id : deleted) assertThat(lead(ws, "apollo", id)).as("after a failed pull: not marked " + id).containsEntry("deleted", false);
            assertThat(failed.out()).doesNotContain("reconciled");

            failFrom.set(0);
            ws.settings.put("leadpipe.incremental.reconcile-max-share", "0.001"); // 3 of 250 is more than that: a short list, not deletions
            TestWorkspace.CliResult guarded = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(guarded.exitCode()).as(guarded.out() + guarded.err()).isZero();
            assertThat(report(guarded.out(), "apollo-sync")).contains("reconciled      NOT APPLIED — 3 of the 250 leads this job has seen were not in this complete pull");
            for (String id : deleted) assertThat(lead(ws, "apollo", id)).as("over the share: not marked " + id).containsEntry("deleted", false);

            ws.settings.remove("leadpipe.incremental.reconcile-max-share");
            TestWorkspace.CliResult complete = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(complete.exitCode()).as(complete.out() + complete.err()).isZero();
            assertThat(report(complete.out(), "apollo-sync")).contains("reconciled      3 leads this job saw before were not in this complete pull: marked deleted at the source");
            for (String id : deleted) assertThat(lead(ws, "apollo", id)).as("no longer listed, kept and marked " + id).containsEntry("deleted", true);
            assertThat(ws.storedLeadKeys()).hasSize(N);

            data.restore(deleted.get(0));
            TestWorkspace.CliResult again = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(again.exitCode()).as(again.out() + again.err()).isZero();
            assertThat(report(again.out(), "apollo-sync")).contains("reconciled      0 leads this job saw before were not in this complete pull: marked deleted at the source; 1 listed again, unmarked");
            assertThat(lead(ws, "apollo", deleted.get(0))).containsEntry("deleted", false);
            assertThat(lead(ws, "apollo", deleted.get(1))).containsEntry("deleted", true);
        }
    }

    /**
     * A sliced job is reconciled over all its slices once every slice's latest pull read its whole list completely: a
     * lead is deleted when no slice lists it any more (here each slice lists the whole list: the fake ignores the
     * slice's filter, so every lead is in both). A job sliced by a time range is refused, said in its report: what no
     * range lists any more may just have been edited past the last range's end.
     */
    @Test
    @Timeout(120)
    void aSlicedJobIsReconciledOverAllItsSlicesAndATimeRangeIsRefused() throws Exception {
        SourceRecords data = new SourceRecords(N, DeltaFakes.ids("apollo"), Duration.ZERO);
        try (VendorFake fake = DeltaFakes.apollo(data); TestWorkspace ws = workspace(List.of(new Vendor("apollo", data, fake)))) {
            ws.jobs(TestWorkspace.job("by-seniority", "", "source", "apollo", "incremental", "true", "slices", "seniority=vp|seniority=director")
                    + TestWorkspace.job("by-week", "", "source", "apollo", "incremental", "true",
                    "slices", "updated_since..updated_before from 2026-01-01 to 2026-01-15 step 7d"));
            TestWorkspace.CliResult first = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(first.exitCode()).as(first.out() + first.err()).isZero();
            assertThat(report(first.out(), "by-seniority")).contains("reconciled      0 leads this job's 2 slices saw before were not in this complete pull");
            List<String> deleted = data.delete(3);

            TestWorkspace.CliResult second = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(second.exitCode()).as(second.out() + second.err()).isZero();
            assertThat(report(second.out(), "by-seniority"))
                    .contains("reconciled      3 leads this job's 2 slices saw before were not in this complete pull: marked deleted at the source");
            for (String id : deleted) assertThat(lead(ws, "apollo", id)).as("listed by no slice: kept, marked " + id).containsEntry("deleted", true);
            assertThat(report(second.out(), "by-week")).contains("reconciled      NOT APPLIED — the job is sliced by a time range (updated_since..updated_before)");

            data.restore(deleted.get(0));
            TestWorkspace.CliResult third = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(third.exitCode()).as(third.out() + third.err()).isZero();
            assertThat(report(third.out(), "by-seniority")).contains("1 listed again, unmarked");
            assertThat(lead(ws, "apollo", deleted.get(0))).containsEntry("deleted", false);
        }
    }

    /**
     * Pipedrive's v2 list shows no deletions; its changes feed (/v1/recents?items=person, deleted persons with active_flag
     * false) does: a sync on the pipedrive-v2 profile is followed by that feed since its previous listing, which marks
     * exactly the deleted persons deleted at the source (kept), and the report and status say how many; one restored is
     * unmarked. The feed keeps 30 days: a sync longer after the previous one is a full pull, which reconciles a deletion
     * the feed no longer shows.
     */
    @Test
    @Timeout(120)
    void aPipedriveSyncReadsTheChangesFeedAndMarksTheDeletedPersons() throws Exception {
        SourceRecords data = new SourceRecords(N, DeltaFakes.ids("pipedrive-v2"), Duration.ZERO);
        try (VendorFake fake = DeltaFakes.pipedriveV2(data); TestWorkspace ws = workspace(List.of(new Vendor("pipedrive-v2", data, fake)))) {
            TestWorkspace.CliResult first = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(first.exitCode()).as(first.out() + first.err()).isZero();
            int firstRequests = fake.requests();
            assertThat(firstRequests).as("the list in one page of 500, then the feed since the start of time: its 30 days, 250 changes in pages of 100").isEqualTo(1 + 3);
            assertThat(report(first.out(), "pipedrive-v2-sync")).contains("feed pipedrive-v2.deleted: 0 leads it flags deleted");
            List<String> deleted = data.delete(10);
            List<String> changed = data.change(5);

            TestWorkspace.CliResult second = ws.cli(TestWorkspace.envWithKey(), "run");

            assertThat(second.exitCode()).as(second.out() + second.err()).isZero();
            assertThat(fake.requests() - firstRequests).as("the delta (5 changed), then the feed (15 changes) since the previous listing").isEqualTo(2);
            for (String id : deleted) assertThat(lead(ws, id)).as("deleted at the source: kept, and marked " + id).containsEntry("deleted", true);
            for (String id : changed) assertThat(lead(ws, id)).as("changed, not deleted " + id).containsEntry("deleted", false);
            assertThat(ws.storedLeadKeys()).hasSize(N);
            try (Connection c = ws.db(); PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM leads WHERE deleted_at_source IS NOT NULL");
                 ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next() && rs.getLong(1) == deleted.size()).as("exactly the deleted persons are marked").isTrue();
            }
            assertThat(report(second.out(), "pipedrive-v2-sync"))
                    .contains("deletions       feed pipedrive-v2.deleted: 10 leads it flags deleted, marked deleted at the source (1 requests, job pipedrive-v2-sync.deleted)")
                    .contains("10 deleted at the source");
            // status of the sync shows its feed's job too: the watermark the feed used, and how many it marked
            TestWorkspace.CliResult status = ws.cli(TestWorkspace.envWithKey(), "status", "pipedrive-v2-sync");
            assertThat(status.out()).as(status.out()).containsPattern("pipedrive-v2-sync\\.deleted +DONE")
                    .contains("job pipedrive-v2-sync.deleted delta: watermark ").contains("10 deleted at the source");
            // the feed can be probed by its name: where its records and deleted flag are, and the since it sends
            int beforeProbe = fake.requests();
            TestWorkspace.CliResult probe = ws.cli(TestWorkspace.envWithKey(), "probe", "pipedrive-v2.deleted", "--since", "2026-12-05T14:33:34Z");
            assertThat(probe.out()).as(probe.out() + probe.err()).contains("/v1/recents?items=person&since_timestamp=2026-12-05+14%3A33%3A34")
                    .contains("records         ").contains("at /data");
            int probed = fake.requests() - beforeProbe;
            assertThat(probed).as("probe's one request").isEqualTo(1);

            data.restore(deleted.get(0)); // restored within Pipedrive's 30 days: live again, in the feed with active_flag true
            TestWorkspace.CliResult third = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(third.exitCode()).as(third.out() + third.err()).isZero();
            assertThat(lead(ws, deleted.get(0))).as("restored at the source: unmarked").containsEntry("deleted", false);
            assertThat(lead(ws, deleted.get(1))).containsEntry("deleted", true);

            // the previous sync 40 days ago, and a person deleted 31 days ago: the feed no longer shows that deletion
            SourceRecords.Rec old = data.all().stream().filter(r -> !r.deleted).findFirst().orElseThrow();
            old.deleted = true;
            old.updated = java.time.Instant.now().minus(Duration.ofDays(31));
            try (Connection c = ws.db(); PreparedStatement ps = c.prepareStatement("UPDATE extraction_checkpoint SET pull_started_at = ? WHERE job_id = 'pipedrive-v2-sync'")) {
                ps.setTimestamp(1, java.sql.Timestamp.from(java.time.Instant.now().minus(Duration.ofDays(40))));
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            TestWorkspace.CliResult late = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(late.exitCode()).as(late.out() + late.err()).isZero();
            String said = report(late.out(), "pipedrive-v2-sync");
            assertThat(said).contains("is older than the source's feed of deletions reaches back (its delta.history-days): a full pull")
                    .contains("reconciled      1 lead");
            assertThat(lead(ws, old.id)).as("deleted 31 days ago, past the feed: found by reconciliation").containsEntry("deleted", true);
        }
    }

    /** Each slice of a sliced HubSpot sync lists its own archived contacts (<job>.<slice>.deleted) and marks them. */
    @Test
    @Timeout(120)
    void eachSliceOfAHubSpotSyncListsItsArchivedContacts() throws Exception {
        SourceRecords data = new SourceRecords(N, DeltaFakes.ids("hubspot"), Duration.ZERO);
        try (VendorFake fake = DeltaFakes.hubspotList(data); TestWorkspace ws = workspace(List.of(new Vendor("hubspot", data, fake)))) {
            ws.jobs(TestWorkspace.job("hubspot-sync", "", "source", "hubspot", "incremental", "true", "slices", "lifecyclestage=lead|lifecyclestage=customer"));
            TestWorkspace.CliResult first = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(first.exitCode()).as(first.out() + first.err()).isZero();
            List<String> deleted = data.delete(5);
            TestWorkspace.CliResult second = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(second.exitCode()).as(second.out() + second.err()).isZero();
            for (String id : deleted) assertThat(lead(ws, "hubspot", id)).as("archived: kept, marked " + id).containsEntry("deleted", true);
            assertThat(ws.checkpoint("hubspot-sync.lead.deleted")).containsEntry("status", "DONE");
            assertThat(ws.checkpoint("hubspot-sync.customer.deleted")).containsEntry("status", "DONE");
            assertThat(report(second.out(), "hubspot-sync")).contains("deletions: archived=true: 5 records listed deleted");
        }
    }

    /** A sliced Pipedrive sync reads the changes feed once for the whole job, after all its slices, not once per slice. */
    @Test
    @Timeout(120)
    void aSlicedPipedriveSyncReadsTheChangesFeedOnceForAllItsSlices() throws Exception {
        SourceRecords data = new SourceRecords(N, DeltaFakes.ids("pipedrive-v2"), Duration.ZERO);
        try (VendorFake fake = DeltaFakes.pipedriveV2(data); TestWorkspace ws = workspace(List.of(new Vendor("pipedrive-v2", data, fake)))) {
            ws.jobs(TestWorkspace.job("pipedrive-v2-sync", "", "source", "pipedrive-v2", "incremental", "true", "slices", "owner_id=1|owner_id=2"));
            TestWorkspace.CliResult first = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(first.exitCode()).as(first.out() + first.err()).isZero();
            int firstRequests = fake.requests();
            assertThat(firstRequests).as("each slice's list in one page (the fake ignores owner_id), then the feed once: 3 pages").isEqualTo(2 + 3);
            List<String> deleted = data.delete(5);
            TestWorkspace.CliResult second = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(second.exitCode()).as(second.out() + second.err()).isZero();
            assertThat(fake.requests() - firstRequests).as("each slice's delta, then the feed once").isEqualTo(2 + 1);
            for (String id : deleted) assertThat(lead(ws, id)).as("deleted: kept, marked " + id).containsEntry("deleted", true);
            assertThat(ws.checkpoint("pipedrive-v2-sync.deleted")).containsEntry("status", "DONE");
            assertThat(report(second.out(), "pipedrive-v2-sync")).contains("feed pipedrive-v2.deleted: 5 leads it flags deleted");
        }
    }

    /** A source with a delta filter (Outreach) lists no deletions: `verify` re-reads the whole list and reconciles it. */
    @Test
    @Timeout(120)
    void verifyReconcilesASourceWhoseDeltasCannotSeeDeletions() throws Exception {
        SourceRecords data = new SourceRecords(60, DeltaFakes.ids("outreach"), Duration.ZERO);
        try (VendorFake fake = DeltaFakes.outreach(data); TestWorkspace ws = workspace(List.of(new Vendor("outreach", data, fake)))) {
            assertThat(ws.cli(TestWorkspace.envWithKey(), "run").exitCode()).isZero();
            List<String> deleted = data.delete(2);
            TestWorkspace.CliResult delta = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(delta.exitCode()).as(delta.out()).isZero();
            assertThat(report(delta.out(), "outreach-sync")).as("a delta reads the changes only: it proves nothing about the rest").doesNotContain("reconciled");
            for (String id : deleted) assertThat(lead(ws, "outreach", id)).containsEntry("deleted", false);

            TestWorkspace.CliResult verify = ws.cli(TestWorkspace.envWithKey(), "verify", "outreach-sync");

            assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
            assertThat(report(verify.out(), "outreach-sync")).contains("reconciled      2 leads this job saw before were not in this complete pull: marked deleted at the source");
            for (String id : deleted) assertThat(lead(ws, "outreach", id)).as("marked by verify " + id).containsEntry("deleted", true);
        }
    }
}
