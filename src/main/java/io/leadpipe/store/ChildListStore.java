package io.leadpipe.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadpipe.job.ChildPull;
import io.leadpipe.job.ChildRun;
import io.leadpipe.job.Pull;
import io.leadpipe.job.JobSpec;
import io.leadpipe.config.ChildRequest;
import io.leadpipe.paging.FetchedPage;
import io.leadpipe.paging.PageCodecs;
import org.apache.camel.Exchange;
import org.springframework.jdbc.datasource.DataSourceUtils;

import javax.sql.DataSource;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

import static io.leadpipe.store.NamedSql.values;

/**
 * The child lists of parent → child jobs (table child_lists, V13): the parents a parent page brought, written
 * in that page's transaction with the parent checkpoint; each parent's child position, written in the
 * transaction of the child page's leads; the parents still to pull, in the order they came. routes/children.yaml
 * shows when each happens.
 */
public final class ChildListStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final NamedSql LAST_SEQ = NamedSql.of("child-last-seq", "SELECT COALESCE(MAX(seq), 0) FROM child_lists WHERE job_id = :job AND pull_id = :pullId");
    /** A parent already listed in this pull (a page that overlaps the one before) keeps its one child list. */
    private static final NamedSql ADD_PARENT = NamedSql.of("child-add-parent", "INSERT INTO child_lists (job_id, pull_id, seq, parent_id, parent_page, status, "
            + "page_no, lead_count, updated_at) SELECT :job, :pullId, :seq, :parent, :page, 'PENDING', 0, 0, CURRENT_TIMESTAMP FROM (VALUES (1)) AS one(x) "
            + "WHERE NOT EXISTS (SELECT 1 FROM child_lists WHERE job_id = :job AND pull_id = :pullId AND parent_id = :parent)");
    private static final NamedSql PENDING = NamedSql.of("child-pending", "SELECT seq, parent_id, next_cursor, page_no, lead_count FROM child_lists "
            + "WHERE job_id = :job AND pull_id = :pullId AND status = 'PENDING' AND seq > :after ORDER BY seq LIMIT :batch");
    /** Only while the job's run holds its lease: a run that was taken over writes nothing more. */
    private static final NamedSql SAVE = NamedSql.of("child-save", "UPDATE child_lists SET next_cursor = :position, page_no = :page, lead_count = :leads, "
            + "api_total = :apiTotal, status = :status, updated_at = CURRENT_TIMESTAMP WHERE job_id = :job AND pull_id = :pullId AND seq = :seq "
            + "AND EXISTS (SELECT 1 FROM extraction_checkpoint WHERE job_id = :job AND lease_owner = :owner)");
    private static final NamedSql FORGET_OTHER_PULLS = NamedSql.of("child-forget-other-pulls", "DELETE FROM child_lists WHERE job_id = :job AND pull_id <> :pullId");
    private static final NamedSql TOTALS = NamedSql.of("child-totals", "SELECT COUNT(*), SUM(CASE WHEN status = 'DONE' THEN 1 ELSE 0 END), "
            + "SUM(CASE WHEN status = 'PENDING' AND page_no > 0 THEN 1 ELSE 0 END), COALESCE(SUM(lead_count), 0), COALESCE(SUM(api_total), 0), "
            + "SUM(CASE WHEN api_total IS NULL THEN 1 ELSE 0 END), "
            + "SUM(CASE WHEN api_total IS NOT NULL AND lead_count <> api_total THEN 1 ELSE 0 END) FROM child_lists WHERE job_id = :job AND pull_id = :pullId");

    /** The parents of a job and how far their children are. */
    /** @param listsShort lists whose records stored differ from the total their API reported (the proof's gaps) */
    public record Totals(long parents, long done, long inProgress, long childLeads, Long listsTotal, long listsShort) {
        public long pending() {
            return parents - done - inProgress;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d parents: %d done, %d in progress, %d not started; %d child leads", parents, done, inProgress, pending(), childLeads);
        }
    }

    private final DataSource dataSource;
    private final PageCodecs pagers;
    private final BooleanSupplier stopRequested;
    private final int batch;
    private java.util.function.ObjIntConsumer<String> pageStoredEvent = (job, records) -> { };

    /** @param batch parents handed to the concurrent child pulls at a time (their state is in memory meanwhile) */
    public ChildListStore(DataSource dataSource, PageCodecs pagers, BooleanSupplier stopRequested, int batch) {
        this.dataSource = dataSource;
        this.pagers = pagers;
        this.stopRequested = stopRequested;
        this.batch = batch;
    }

    /** Told of every child page stored (job, records): metrics and progress counters. */
    public ChildListStore onPageStored(java.util.function.ObjIntConsumer<String> event) {
        this.pageStoredEvent = event;
        return this;
    }

    /** For the status verb, which runs without Camel. */
    public static ChildListStore forVerbs(Database db) {
        return new ChildListStore(db.dataSource(), null, () -> false, 1);
    }

    /**
     * A parent page: its parents become child lists to pull (PENDING), in the parent page's transaction, beside
     * the parent checkpoint. The parent's id is its record's id, or the value at {@code parentIdPointer} in the record.
     */
    public void recordParents(Pull pull, FetchedPage page, String parentIdPointer) throws SQLException {
        if (page.records() == 0) return;
        Connection c = DataSourceUtils.getConnection(dataSource);
        try {
            long seq = queryLong(c, LAST_SEQ, values("job", pull.jobId(), "pullId", pull.pullId()));
            try (PreparedStatement ps = ADD_PARENT.prepareBatch(c)) {
                for (int i = 0; i < page.records(); i++) {
                    ADD_PARENT.addBatch(ps, values("job", pull.jobId(), "pullId", pull.pullId(), "seq", ++seq,
                            "parent", parentId(page, i, parentIdPointer), "page", page.pageNo()));
                }
                ps.executeBatch();
            }
        } finally {
            DataSourceUtils.releaseConnection(c, dataSource);
        }
    }

    private static String parentId(FetchedPage page, int i, String pointer) {
        if (pointer == null || pointer.isBlank()) return page.ids().get(i);
        try {
            JsonNode value = JSON.readTree(page.payloads().get(i)).at(pointer);
            if (value.isValueNode() && !value.isNull() && !value.asText().isEmpty()) return value.asText();
        } catch (java.io.IOException e) {
            // stored payloads are JSON written by Jackson: not reached
        }
        throw new io.leadpipe.paging.MalformedPageException("parent record " + (i + 1) + " of page " + page.pageNo()
                + " has no id at " + pointer + " (check the job's parentIdPointer)");
    }

    /**
     * The children phase of the job's run begins ({@code variable.childRun}): child lists of an earlier pull of
     * the job (before a reset or an incremental pull) are forgotten; this pull's are kept, where they stand.
     */
    public void begin(Exchange exchange) throws SQLException {
        Pull pull = exchange.getVariable("pull", Pull.class);
        JobSpec.Children children = exchange.getVariable("job", JobSpec.class).children();
        String template = children.request();
        ChildRequest request;
        try {
            request = ChildRequest.parse(template);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("job " + pull.jobId() + ": children '" + template + "' " + e.getMessage());
        }
        ChildRun run = new ChildRun(pull, children.source(), children.filters(), request, stopRequested, pageStoredEvent);
        withConnection(c -> FORGET_OTHER_PULLS.update(c, values("job", pull.jobId(), "pullId", pull.pullId())));
        run.caps(pull.maxRequests(), children.maxLeads(), totals(pull.jobId(), pull.pullId()).childLeads());
        exchange.setVariable("childRun", run);
    }

    /** The next parents whose children are not all stored, in the order they came: the body the route splits. */
    public List<ChildPull> nextParents(Exchange exchange) throws SQLException {
        ChildRun run = exchange.getVariable("childRun", ChildRun.class);
        String childSource = run.childSource();
        List<ChildPull> lists = new ArrayList<>();
        withConnection(c -> {
            try (PreparedStatement ps = PENDING.prepare(c, values("job", run.jobId(), "pullId", run.pullId(), "after", run.afterSeq(), "batch", batch));
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    lists.add(new ChildPull(run, rs.getLong("seq"), rs.getString("parent_id"), rs.getString("next_cursor"),
                            rs.getInt("page_no"), rs.getLong("lead_count"), () -> pagers.loopGuard(childSource)));
                }
            }
            return null;
        });
        run.batchTaken(lists.isEmpty() ? 0 : lists.get(lists.size() - 1).seq(), lists.isEmpty());
        return lists;
    }

    /** A child page's position, in its transaction after its leads: DONE after the list's last page. */
    public void save(ChildPull list) throws SQLException {
        Pull job = list.run().job();
        int rows = withConnection(c -> SAVE.update(c, values("job", list.jobId(), "pullId", list.pullId(), "seq", list.seq(),
                "position", list.position(), "page", list.pageNo(), "leads", list.leads(), "apiTotal", list.apiTotal(),
                "status", list.done() ? "DONE" : "PENDING", "owner", job.leaseOwner())));
        if (rows == 0) throw new PullRepository.LeaseLostException(list.jobId());
    }

    /**
     * The children phase ended (every list, a failure, or a stop): the pull's counts become the children's —
     * their records this run and in this pull, and the sum of the lists' totals for the completeness proof.
     */
    public Totals finish(Exchange exchange) throws SQLException {
        Pull pull = exchange.getVariable("pull", Pull.class);
        ChildRun run = exchange.getVariable("childRun", ChildRun.class);
        Totals t = totals(pull.jobId(), pull.pullId());
        pull.childrenCounted(run.pagesThisRun(), run.leadsThisRun(), t.childLeads(), t.listsTotal(), t.toString());
        pull.childListsShort(t.parents(), t.listsShort());
        if (run.interrupted()) {
            pull.interruptedBy("stopped by a shutdown signal with " + t + ", checkpointed; run again to continue");
        } else if (run.failure() == null && run.capped() != null && t.done() < t.parents()) {
            pull.capReached(run.capped());
        }
        exchange.setVariable("childTotals", t);
        return t;
    }

    public Totals totals(String job, String pullId) throws SQLException {
        return withConnection(c -> {
            try (PreparedStatement ps = TOTALS.prepare(c, values("job", job, "pullId", pullId)); ResultSet rs = ps.executeQuery()) {
                rs.next();
                long parents = rs.getLong(1);
                long withoutTotal = rs.getLong(6);
                return new Totals(parents, rs.getLong(2), rs.getLong(3), rs.getLong(4), parents > 0 && withoutTotal == 0 ? rs.getLong(5) : null, rs.getLong(7));
            }
        });
    }

    /** `status`: a line under each parent → child job with its parents and child leads. */
    public void printStatus(PrintStream out, String job) throws SQLException {
        String pullId;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT pull_id FROM extraction_checkpoint WHERE job_id = ?")) {
            ps.setString(1, job);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return;
                pullId = rs.getString(1);
            }
        }
        Totals t = totals(job, pullId);
        if (t.parents() > 0) out.println("    children: " + t);
    }

    private static long queryLong(Connection c, NamedSql sql, java.util.Map<String, ?> values) throws SQLException {
        try (PreparedStatement ps = sql.prepare(c, values); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private <T> T withConnection(CheckpointSql.SqlWork<T> work) throws SQLException {
        return CheckpointSql.withConnection(dataSource, work);
    }
}
