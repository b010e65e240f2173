package io.leadpipe.job;

import io.leadpipe.paging.PageCodecs;
import io.leadpipe.paging.PlannedPage;
import io.leadpipe.ratelimit.AnswerTime;
import org.apache.camel.Body;
import org.apache.camel.Variable;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The extract route's gate before each page of a parallel window (bean {@code pagesInFlight}): a page starts
 * unless a cap, a failure or a stop came first — and, where the source's concurrency is auto, only once fewer
 * pages are in flight than its quota needs: the quota's rate × the time a page keeps its slot (from the wire
 * to stored: the answer, reading and the page's transaction; never the pacing waits) × 1.5, at most the
 * source's pool (max-concurrency).
 */
public final class PagesInFlight {

    /** Requests of a source to keep in flight, at most {@code max}, when each keeps its slot {@code seconds} (ApiQuota). */
    public interface Needed {
        int of(String source, int max, double seconds);
    }

    private final PageCodecs paging;
    private final Needed needed;
    private final Map<String, AnswerTime> pageTimes = new ConcurrentHashMap<>();

    public PagesInFlight(PageCodecs paging, Needed needed) {
        this.paging = paging;
        this.needed = needed;
    }

    /** False when a cap, a failure or a stop came first: the page is not fetched. */
    public boolean startPage(@Variable("pull") Pull pull, @Body PlannedPage page) throws InterruptedException {
        if (!paging.autoConcurrency(pull.source())) return pull.startPage();
        AnswerTime pageTime = pageTimes.computeIfAbsent(pull.source(), s -> new AnswerTime());
        return pull.startPageWhenWanted(page.number(), () -> needed.of(pull.source(), pull.concurrency(), pageTime.seconds()));
    }

    /** The page is stored: how long it kept its slot since its request went on the wire ({@code sentAt}, System.nanoTime). */
    public void pageStored(@Variable("pull") Pull pull, @Variable("sentAt") Long sentAt) {
        if (sentAt != null) pageTimes.computeIfAbsent(pull.source(), s -> new AnswerTime()).answered(System.nanoTime() - sentAt);
    }
}
