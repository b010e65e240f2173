package io.leadpipe.job;

import io.leadpipe.config.JobSlices;
import io.leadpipe.delta.DeltaSpec;
import io.leadpipe.paging.FetchedPage;
import io.leadpipe.paging.PullPosition;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The slices of a job declared {@code slices = auto}: its range of time (from {@code auto from …}, else the start
 * of time, to now) cut on the source's time filter (delta.param and delta.until-param) into slices holding about
 * the same number of records by the API's counts ({@link TimeSlicePlan}), as many as the pages in flight
 * {@code concurrency = auto} would want. The plan is kept (slice_plan) at its first run until the job is reset:
 * a run that resumes finds every slice under the name and range it had, each at its checkpoint.
 */
public final class AutoSlices {

    /** A job's slices and how they were cut (said in its run report). */
    public record Cut(List<JobSlices.Slice> slices, String how) {}

    /** Where a job's plan is kept. */
    public interface PlanStore {
        /** The job's kept plan, or null. */
        Cut find(String job) throws Exception;

        /** Keeps the plan unless one is kept already (another process was first): the kept one. */
        Cut keep(String job, String source, Cut cut) throws Exception;
    }

    /** What a source offers for the plan: its time filter, its page size, and the slices it wants in flight now. */
    public record SourceView(Function<String, DeltaSpec> delta, ToIntFunction<String> pageSize, ToIntFunction<String> wantedInFlight) {}

    private static final Logger LOG = LoggerFactory.getLogger("leadpipe.extract");
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    /**
     * A slice asks for its next page only once the last one is stored: its cycle is the answer and the storing, and
     * the plan knows only the answer time (from its counts). Twice the slices the answers alone need (measured: 6
     * slices at 300 ms used 0.72 of the quota on a loaded host where 8 used 0.96); at most leadpipe.slices.concurrency.
     */
    static final int CYCLE = 2;
    /** Count requests one plan may make: a few per slice, and the halvings that find where the records are in a long range. */
    static final int COUNT_BUDGET = 64;

    private final PlanStore plans;
    private final SourceView sources;
    private final int mostSlices;

    public AutoSlices(PlanStore plans, SourceView sources, int mostSlices) {
        this.plans = plans;
        this.sources = sources;
        this.mostSlices = mostSlices;
    }

    /** The job's slices: the kept plan, or a new one made from the API's counts and kept. */
    public Cut slices(JobSpec job, CamelContext context) throws Exception {
        Cut kept = plans.find(job.jobId());
        if (kept != null) return kept;
        DeltaSpec delta = sources.delta().apply(job.source());
        Instant from = JobSlices.autoFrom(job.slices());
        Instant until = JobSlices.autoTo(job.slices());
        if (from == null) from = Instant.EPOCH;
        if (until == null) until = Instant.now();
        if (!from.isBefore(until)) throw new IllegalStateException("slices = " + job.slices() + ": from " + from + " is not before " + until);
        int pageSize = Math.max(1, sources.pageSize().applyAsInt(job.source()));
        long[] total = {-1};
        TimeSlicePlan.Plan plan;
        ProducerTemplate template = context.createProducerTemplate();
        try (CountPool counts = new CountPool()) {
            TimeSlicePlan.Counter counter = (lo, hi) -> {
                Long n = count(template, job, delta.rangeFilter(lo, hi));
                if (lo == null && hi == null && n != null) total[0] = n;
                return n;
            };
            // as many slices as pages in flight auto would want, never more than pages the records fill
            plan = TimeSlicePlan.plan(from, until, delta.format().grain(), () -> {
                int wanted = Math.min(mostSlices, CYCLE * sources.wantedInFlight().applyAsInt(job.source()));
                return total[0] < 0 ? wanted : (int) Math.max(1, Math.min(wanted, (total[0] + pageSize - 1) / pageSize));
            }, counter, COUNT_BUDGET, counts);
        } finally {
            template.stop();
        }
        boolean fine = delta.format().grain().toMillis() < 1000;
        List<JobSlices.Slice> slices = new ArrayList<>();
        List<TimeSlicePlan.Range> ranges = plan.ranges();
        for (int i = 0; i < ranges.size(); i++) {
            TimeSlicePlan.Range r = ranges.get(i);
            // open below (the first) and above (the last): the slices together ask for what the unsliced job asks for
            String filter = delta.rangeFilter(i == 0 ? null : r.from(), i == ranges.size() - 1 ? null : r.until());
            String name = (fine ? MILLIS : SECONDS).format(r.from());
            slices.add(new JobSlices.Slice(name, filter.isEmpty() ? "" : filter));
        }
        String how;
        if (plan.counted()) {
            how = slices.size() + " slices of about " + total[0] / Math.max(1, slices.size()) + " records each, by the API's counts (total " + total[0]
                    + ", " + plan.requests() + " count requests)";
            LOG.info("job={} slices = auto: {}; {}", job.jobId(), how, delta.describe());
        } else {
            how = slices.size() + " slices cut evenly by time from " + from + " to " + until + ", not by records: source " + job.source()
                    + " reports no total (total-pointer)";
            LOG.warn("job={} slices = auto: {}", job.jobId(), how);
        }
        return plans.keep(job.jobId(), job.source(), new Cut(slices, how));
    }

    /** One count request: the range's first page, paced and read as any page; the API's total, or null. */
    private static Long count(ProducerTemplate template, JobSpec job, String rangeFilter) throws Exception {
        String filters = job.filters().isEmpty() ? rangeFilter : rangeFilter.isEmpty() ? job.filters() : job.filters() + "&" + rangeFilter;
        Exchange answer = template.send("direct:count-range", e -> {
            e.setVariable("jobId", job.jobId());
            e.setVariable("source", job.source());
            e.setVariable("pull", new Range(job.jobId(), job.source(), filters));
        });
        if (answer.getException() != null) throw answer.getException();
        FetchedPage page = answer.getMessage().getBody(FetchedPage.class);
        return page == null ? null : page.apiTotal();
    }

    /** A round's counts go at once (paced by the key's governor, as pages are): threads for one plan. */
    private static final class CountPool extends java.util.concurrent.ThreadPoolExecutor implements AutoCloseable {
        CountPool() {
            super(TimeSlicePlan.PARTS, TimeSlicePlan.PARTS * 4, 30, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "leadpipe-slice-count");
                t.setDaemon(true);
                return t;
            }, new java.util.concurrent.ThreadPoolExecutor.CallerRunsPolicy());
        }

        @Override
        public void close() {
            shutdownNow();
        }
    }

    /** A range to count: the first page of a pull that is never stored. */
    private record Range(String jobId, String source, String filters) implements PullPosition {
        @Override public String position() { return null; }
        @Override public int pageNo() { return 0; }
        @Override public int largestPage() { return 0; }
        @Override public String pullId() { return "count"; }
        @Override public String watermarkParam() { return null; }
        @Override public String watermark() { return null; }
    }
}
