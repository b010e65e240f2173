package io.leadpipe.job;

import io.leadpipe.paging.FetchedPage;
import io.leadpipe.paging.LoopGuard;
import io.leadpipe.paging.PagingLoopException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The pull's commands and status transitions, without a database or Camel. */
class PullTest {

    private final AtomicLong requests = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();

    private Pull pull(long maxRequests, long maxLeads) {
        return pull(new JobSpec("job", "api", "", maxRequests, maxLeads, null, "", null, null));
    }

    private Pull pull(JobSpec spec) {
        return new Pull(spec, false, new LoopGuard("api", false, 2), requests::get, stop::get);
    }

    private static FetchedPage page(int no, String next, Long total, String... ids) {
        return new FetchedPage(no, List.of(ids), List.of(ids), next, total, 2, "p:" + no);
    }

    private static SavedCheckpoint saved(String status, String cursor, int page, long leads, long requests) {
        return new SavedCheckpoint(status, "", "hash", "pull-1", "PULL", cursor, page, leads, 10L, 10L, requests, 0, 0, null, null);
    }

    @Test
    void aNewPullStartsAtTheFirstPageAndStopsWhenTheApiGivesNoNextPage() {
        Pull p = pull(0, 0);
        p.startNew("pull-1");
        assertThat(p.opening()).isEqualTo(Pull.Opening.NEW);
        assertThat(p.status()).isEqualTo(PullStatus.RUNNING);
        assertThat(p.hasNext()).isTrue();
        assertThat(p.position()).isNull();
        p.pageStored(page(1, "c1", 3L, "a", "b"));
        assertThat(p.hasNext()).isTrue();
        assertThat(p.position()).isEqualTo("c1");
        assertThat(p.progress()).isEqualTo("2/3 (66%)");
        p.pageStored(page(2, null, 3L, "c"));
        assertThat(p.hasNext()).isFalse();
        assertThat(p.stopReason()).isEqualTo("the API gave no next page");
        assertThat(p.leads()).isEqualTo(3);
        assertThat(p.pagesThisRun()).isEqualTo(2);
        assertThat(p.apiTotalFirst()).isEqualTo(3L);
        p.done();
        assertThat(p.status()).isEqualTo(PullStatus.DONE);
    }

    @Test
    void gettersOnlyRead() {
        Pull p = pull(1, 0);
        p.startNew("pull-1");
        requests.set(5); // the cap is spent, but only a command finds that out
        stop.set(true);
        for (int i = 0; i < 3; i++) {
            p.hasNext();
            p.isInterrupted();
            p.isCapped();
            p.progress();
        }
        assertThat(p.status()).as("asking did not change the pull").isEqualTo(PullStatus.RUNNING);
        assertThat(p.stopReason()).isNull();
        assertThat(p.hasNext()).as("a stop was asked for").isFalse();
        assertThat(p.isInterrupted()).as("the loop ends interrupted").isTrue();
    }

    /** Simple resolves ${variable.pull.interrupted} to any method of that name: a command of that name would run. */
    @Test
    void whatTheRoutesReadOfThePullIsNoCommand() throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("variable\\.pull\\??\\.(\\w+)").matcher("");
        java.util.Set<String> read = new java.util.TreeSet<>();
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("routes"))) {
            for (java.nio.file.Path f : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                m.reset(java.nio.file.Files.readString(f));
                while (m.find()) read.add(m.group(1));
            }
        }
        assertThat(read).contains("hasNext", "interrupted", "capped", "failed", "busy", "alreadyDone");
        for (java.lang.reflect.Method method : Pull.class.getMethods()) {
            assertThat(read.contains(method.getName()) && method.getParameterCount() > 0)
                    .as("routes read pull.%s, and Pull has a command %s", method.getName(), method).isFalse();
        }
    }

    @Test
    void resumesFromTheSavedPositionWithTheSavedCounts() {
        requests.set(7); // made by this process for earlier runs
        Pull p = pull(0, 0);
        p.resume(saved("FAILED", "c5", 5, 10, 12));
        assertThat(p.opening()).isEqualTo(Pull.Opening.RESUME);
        assertThat(p.resumedFrom()).isEqualTo("FAILED");
        assertThat(p.position()).isEqualTo("c5");
        assertThat(p.pageNo()).isEqualTo(5);
        assertThat(p.mode()).isEqualTo(Pull.Mode.PULL);
        requests.addAndGet(3);
        assertThat(p.requestsTotal()).as("requests before this run + made in it").isEqualTo(15);
    }

    @Test
    void aCheckpointWithoutANextPageOnlyNeedsMarkingDone() {
        Pull p = pull(0, 0);
        p.resume(saved("RUNNING", null, 5, 10, 0));
        assertThat(p.hasNext()).isFalse();
        assertThat(p.stopReason()).isEqualTo("the checkpoint's last page had no next page");
    }

    @Test
    void aDoneJobIsSkippedAndABusyOneLeftAlone() {
        Pull done = pull(0, 0);
        done.skipAsDone(saved("DONE", null, 5, 10, 0));
        assertThat(done.isAlreadyDone()).isTrue();
        assertThat(done.hasNext()).isFalse();
        assertThat(done.status()).isEqualTo(PullStatus.DONE);
        Pull busy = pull(0, 0);
        busy.heldElsewhere("job job is running in process 1");
        assertThat(busy.isBusy()).isTrue();
        assertThat(busy.status()).isEqualTo(PullStatus.BUSY);
        assertThat(busy.stopReason()).isEqualTo("job job is running in process 1");
    }

    @Test
    void stopsCappedWhenTheRequestBudgetIsSpent() {
        Pull p = pull(3, 0);
        p.startNew("pull-1");
        requests.set(2);
        p.pageStored(page(1, "c1", null, "a", "b"));
        assertThat(p.hasNext()).isTrue();
        requests.set(3);
        p.pageStored(page(2, "c2", null, "c", "d"));
        assertThat(p.hasNext()).isFalse();
        assertThat(p.isCapped()).isTrue();
        assertThat(p.capReason()).isEqualTo("3 requests made, cap 3");
        assertThat(p.stopReason()).startsWith("cap reached");
    }

    @Test
    void stopsCappedWhenTheLeadCapIsReached() {
        Pull p = pull(0, 3);
        p.startNew("pull-1");
        p.pageStored(page(1, "c1", null, "a", "b"));
        p.pageStored(page(2, "c2", null, "c", "d"));
        assertThat(p.isCapped()).isTrue();
        assertThat(p.capReason()).isEqualTo("4 leads received, cap 3");
    }

    @Test
    void aSpentBudgetStopsBeforeTheFirstRequestOfAResumedRun() {
        Pull p = pull(10, 0);
        p.resume(saved("CAPPED", "c5", 5, 10, 10));
        assertThat(p.hasNext()).isFalse();
        assertThat(p.isCapped()).isTrue();
    }

    @Test
    void aDuplicatePageMovesThePositionOnWithoutCountingItsLeads() {
        Pull p = pull(0, 0);
        p.startNew("pull-1");
        p.pageStored(page(1, "c1", null, "a", "b"));
        p.duplicatePage(page(2, "c2", null, "a", "b"));
        assertThat(p.leads()).isEqualTo(2);
        assertThat(p.position()).isEqualTo("c2");
        assertThat(p.duplicatePages()).isEqualTo(1);
        assertThat(p.duplicatePagesThisRun()).isEqualTo(1);
    }

    @Test
    void recordsSeenTwiceCountOnceWhenThePageIsStored() {
        Pull p = pull(0, 0);
        p.startNew("pull-1");
        p.seenTwice(2);
        p.seenTwice(2); // the page's transaction was rolled back and the page stored again
        p.pageStored(page(1, "c1", null, "a", "b"));
        assertThat(p.seenTwice()).isEqualTo(2);
    }

    @Test
    void inspectAppliesTheLoopGuardAtThePullsPosition() {
        Pull p = pull(0, 0);
        p.startNew("pull-1");
        p.pageStored(page(1, "c1", null, "a", "b"));
        assertThatThrownBy(() -> p.inspect(page(2, "c1", null, "c", "d"))).isInstanceOf(PagingLoopException.class);
    }

    @Test
    void anIncrementalPullStartsOverWithItsWatermark() {
        Pull p = pull(new JobSpec("job", "api", "", 0, 0, "updated_since", "", null, null));
        p.startIncremental("pull-2", "2026-11-01T00:00:00Z");
        assertThat(p.mode()).isEqualTo(Pull.Mode.INCREMENTAL);
        assertThat(p.watermarkParam()).isEqualTo("updated_since");
        assertThat(p.watermark()).isEqualTo("2026-11-01T00:00:00Z");
        assertThat(p.position()).isNull();
        assertThat(p.hasNext()).isTrue();
    }

    @Test
    void aFailureEndsTheLoopAndSaysWhy() {
        Pull p = pull(0, 0);
        p.startNew("pull-1");
        p.failedWith("HTTP 401");
        assertThat(p.hasNext()).isFalse();
        assertThat(p.status()).isEqualTo(PullStatus.FAILED);
        assertThat(p.isFailed()).isTrue();
        assertThat(p.stopReason()).isEqualTo("failed: HTTP 401");
    }

    @Test
    void aStopBetweenPagesEndsInterruptedAfterTheLastStoredPage() {
        Pull p = pull(0, 0);
        p.startNew("pull-1");
        p.pageStored(page(1, "c1", null, "a", "b"));
        stop.set(true);
        p.pageStored(page(2, "c2", null, "c", "d")); // the page in flight when the stop came is stored
        assertThat(p.hasNext()).isFalse();
        p.interruptedBy(null);
        assertThat(p.status()).isEqualTo(PullStatus.INTERRUPTED);
        assertThat(p.stopReason()).isEqualTo("stopped by a shutdown signal after page 2, checkpointed; run again to continue");
    }

    @Test
    void aPausedPullSaysWhenToComeBack() {
        Pull p = pull(0, 0);
        p.startNew("pull-1");
        Instant tomorrow = Instant.now().plus(Duration.ofDays(1));
        p.paused("daily quota spent", tomorrow);
        assertThat(p.status()).isEqualTo(PullStatus.PAUSED);
        assertThat(p.pausedUntil()).isEqualTo(tomorrow);
        assertThat(p.hasNext()).isFalse();
    }

    @Test
    void childrenStoppedOrCappedKeepTheirReason() {
        Pull stopped = pull(0, 0);
        stopped.startNew("pull-1");
        stopped.interruptedBy("stopped with 3 parents left");
        stopped.interruptedBy(null);
        assertThat(stopped.stopReason()).isEqualTo("stopped with 3 parents left");
        Pull capped = pull(0, 0);
        capped.startNew("pull-1");
        capped.capReached("10 child leads received, cap 10");
        assertThat(capped.isCapped()).isTrue();
        assertThat(capped.capReason()).isEqualTo("10 child leads received, cap 10");
    }

    @Test
    void pagesStoredOutOfOrderAreHeldUntilThePagesBelowThemAreStored() {
        Pull p = pull(0, 0);
        p.startNew("pull-1");
        p.pageStored(page(1, "2", 8L, "a", "b"));
        p.pageStored(page(3, "6", 8L, "e", "f"));
        assertThat(p.pageNo()).as("the checkpoint: page 2 is still missing").isEqualTo(1);
        assertThat(p.position()).as("where a resumed pull starts: page 2").isEqualTo("2");
        assertThat(p.takeStoredAhead()).as("page 3's row in pages_stored_ahead").isEqualTo(new Pull.StoredAhead(3, "6", 8L));
        assertThat(p.takePassedAhead()).isFalse();
        assertThat(p.pagesStoredAhead()).containsExactly(3);
        p.pageStored(page(4, null, 8L, "g", "h"));
        assertThat(p.hasNext()).as("the last page is stored, but not the pages below it").isTrue();
        p.takeStoredAhead();
        p.pageStored(page(2, "4", 8L, "c", "d"));
        assertThat(p.pageNo()).as("page 2 joins up pages 3 and 4").isEqualTo(4);
        assertThat(p.takePassedAhead()).as("their rows go in page 2's transaction").isTrue();
        assertThat(p.takeStoredAhead()).isNull();
        assertThat(p.hasNext()).isFalse();
        assertThat(p.leads()).isEqualTo(8);
        assertThat(p.pagesAhead()).isZero();
    }

    @Test
    void aResumedPullSkipsThePagesAnEarlierRunStoredAhead() {
        Pull p = pull(0, 0);
        p.resume(saved("RUNNING", "4", 2, 6, 5));
        p.storedAheadEarlier(4, "8", 10L);
        p.storedAheadEarlier(5, null, 10L);
        p.pageStored(page(3, "6", 10L, "e", "f"));
        assertThat(p.pageNo()).isEqualTo(5);
        assertThat(p.hasNext()).as("page 5 was the last").isFalse();
        assertThat(p.takePassedAhead()).isTrue();
    }

    @Test
    void aPageInFlightWhenTheCapIsReachedIsStoredButDoesNotRestartTheLoop() {
        Pull p = pull(3, 0);
        p.startNew("pull-1");
        requests.set(2);
        assertThat(p.startPage()).isTrue();
        requests.set(3);
        assertThat(p.startPage()).as("the cap of 3 requests is reached").isFalse();
        assertThat(p.isCapped()).isTrue();
        p.pageStored(page(1, "2", 10L, "a", "b"));
        assertThat(p.hasNext()).as("a page still in flight does not reopen the loop").isFalse();
        assertThat(p.pageNo()).isEqualTo(1);
        assertThat(p.status()).isEqualTo(PullStatus.CAPPED);
        assertThat(p.mostInFlight()).isEqualTo(1);
    }

    @Test
    void aSlicesCapsCountOverAllItsSlices() {
        JobBudget budget = new JobBudget("by-country", 2, java.util.Map.of("by-country.fr", new JobBudget.Saved(0, 3)));
        Pull de = pull(new JobSpec("by-country.de", "api", "country=DE", 0, 4, null, "", "by-country", null));
        de.budget(budget);
        de.startNew("pull-1");
        budget.pulling(de);
        de.pageStored(page(1, "c1", null, "a"));
        assertThat(de.isCapped()).as("3 leads of slice fr + 1 of de").isTrue();
        assertThat(de.capReason()).isEqualTo("4 leads received by the 2 slices of job by-country, cap 4");
    }

    @Test
    void aJobFailsOnceHoweverManyPagesInFlightFailAndTheOthersWaitForItsReport() throws Exception {
        Pull p = pull(0, 0);
        assertThat(p.claimFailure()).isTrue();
        CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(() -> {
            try {
                return p.claimFailure();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().during(200, TimeUnit.MILLISECONDS).atMost(2, TimeUnit.SECONDS).until(() -> !second.isDone());
        p.failureReported();
        assertThat(second.get(5, TimeUnit.SECONDS)).isFalse();
    }
}
