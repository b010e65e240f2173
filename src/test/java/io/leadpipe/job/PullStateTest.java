package io.leadpipe.job;

import io.leadpipe.paging.FetchedPage;
import io.leadpipe.paging.LoopGuard;
import io.leadpipe.paging.PagingLoopException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PullStateTest {

    private final AtomicLong requests = new AtomicLong();

    private PullState pull(long maxRequests, long maxLeads) {
        return new PullState("job", "api", "", "hash", null, maxRequests, maxLeads, false, new LoopGuard("api", false, 2), requests::get, PullEvents.NONE);
    }

    private static FetchedPage page(int no, String next, Long total, String... ids) {
        return new FetchedPage(no, List.of(ids), List.of(ids), next, total, 2, "p:" + no);
    }

    private static SavedCheckpoint saved(String status, String cursor, int page, long leads, long requests) {
        return new SavedCheckpoint(status, "", "hash", "pull-1", "PULL", cursor, page, leads, 10L, 10L, requests, 0, 0, null, null);
    }

    @Test
    void aNewPullStartsAtTheFirstPageAndStopsWhenTheApiGivesNoNextPage() {
        PullState p = pull(0, 0);
        p.startNew("pull-1");
        assertThat(p.hasNext()).isTrue();
        assertThat(p.position()).isNull();
        p.accept(page(1, "c1", 3L, "a", "b"));
        assertThat(p.hasNext()).isTrue();
        assertThat(p.position()).isEqualTo("c1");
        assertThat(p.progress()).isEqualTo("2/3 (66%)");
        p.accept(page(2, null, 3L, "c"));
        assertThat(p.hasNext()).isFalse();
        assertThat(p.stopReason()).isEqualTo("the API gave no next page");
        assertThat(p.leads()).isEqualTo(3);
        assertThat(p.pagesThisRun()).isEqualTo(2);
        assertThat(p.apiTotalFirst()).isEqualTo(3L);
    }

    @Test
    void resumesFromTheSavedPositionWithTheSavedCounts() {
        requests.set(7); // made by this process for earlier runs
        PullState p = pull(0, 0);
        p.resume(saved("FAILED", "c5", 5, 10, 12));
        assertThat(p.opening()).isEqualTo(PullState.Opening.RESUME);
        assertThat(p.resumedFrom()).isEqualTo("FAILED");
        assertThat(p.position()).isEqualTo("c5");
        assertThat(p.pageNo()).isEqualTo(5);
        requests.addAndGet(3);
        assertThat(p.requestsTotal()).as("requests before this run + made in it").isEqualTo(15);
    }

    @Test
    void aCheckpointWithoutANextPageOnlyNeedsMarkingDone() {
        PullState p = pull(0, 0);
        p.resume(saved("RUNNING", null, 5, 10, 0));
        assertThat(p.hasNext()).isFalse();
    }

    @Test
    void stopsCappedWhenTheRequestBudgetIsSpent() {
        PullState p = pull(3, 0);
        p.startNew("pull-1");
        requests.set(2);
        p.accept(page(1, "c1", null, "a", "b"));
        assertThat(p.hasNext()).isTrue();
        requests.set(3);
        p.accept(page(2, "c2", null, "c", "d"));
        assertThat(p.hasNext()).isFalse();
        assertThat(p.isCapped()).isTrue();
        assertThat(p.capReason()).isEqualTo("3 requests made, cap 3");
        assertThat(p.stopReason()).startsWith("cap reached");
    }

    @Test
    void stopsCappedWhenTheLeadCapIsReached() {
        PullState p = pull(0, 3);
        p.startNew("pull-1");
        p.accept(page(1, "c1", null, "a", "b"));
        p.accept(page(2, "c2", null, "c", "d"));
        assertThat(p.isCapped()).isTrue();
        assertThat(p.capReason()).isEqualTo("4 leads received, cap 3");
    }

    @Test
    void aSpentBudgetStopsBeforeTheFirstRequestOfAResumedRun() {
        PullState p = pull(10, 0);
        p.resume(saved("CAPPED", "c5", 5, 10, 10));
        assertThat(p.hasNext()).isFalse();
        assertThat(p.isCapped()).isTrue();
    }

    @Test
    void aDuplicatePageMovesThePositionOnWithoutCountingItsLeads() {
        PullState p = pull(0, 0);
        p.startNew("pull-1");
        p.accept(page(1, "c1", null, "a", "b"));
        p.skipDuplicate(page(2, "c2", null, "a", "b"));
        assertThat(p.leads()).isEqualTo(2);
        assertThat(p.position()).isEqualTo("c2");
        assertThat(p.duplicatePages()).isEqualTo(1);
        assertThat(p.duplicatePagesThisRun()).isEqualTo(1);
    }

    @Test
    void inspectAppliesTheLoopGuardAtThePullsPosition() {
        PullState p = pull(0, 0);
        p.startNew("pull-1");
        p.accept(page(1, "c1", null, "a", "b"));
        assertThatThrownBy(() -> p.inspect(page(2, "c1", null, "c", "d"))).isInstanceOf(PagingLoopException.class);
    }

    @Test
    void anIncrementalPullStartsOverWithItsWatermark() {
        PullState p = new PullState("job", "api", "", "hash", "updated_since", 0, 0, false, new LoopGuard("api", false, 2), requests::get, PullEvents.NONE);
        p.startIncremental("pull-2", "2026-11-01T00:00:00Z");
        assertThat(p.mode()).isEqualTo("INCREMENTAL");
        assertThat(p.watermarkParam()).isEqualTo("updated_since");
        assertThat(p.watermark()).isEqualTo("2026-11-01T00:00:00Z");
        assertThat(p.position()).isNull();
        assertThat(p.hasNext()).isTrue();
    }

    @Test
    void aFailureEndsTheLoopAndSaysWhy() {
        PullState p = pull(0, 0);
        p.startNew("pull-1");
        p.markFailed("HTTP 401");
        assertThat(p.hasNext()).isFalse();
        assertThat(p.status()).isEqualTo("FAILED");
        assertThat(p.stopReason()).isEqualTo("failed: HTTP 401");
    }
    @Test
    void pagesStoredOutOfOrderAreHeldUntilThePagesBelowThemAreStored() {
        PullState p = pull(0, 0);
        p.startNew("pull-1");
        p.accept(page(1, "2", 8L, "a", "b"));
        p.accept(page(3, "6", 8L, "e", "f"));
        assertThat(p.pageNo()).as("the checkpoint: page 2 is still missing").isEqualTo(1);
        assertThat(p.position()).as("where a resumed pull starts: page 2").isEqualTo("2");
        assertThat(p.takeStoredAhead()).as("page 3's row in pages_stored_ahead").isEqualTo(new PullState.StoredAhead(3, "6", 8L));
        assertThat(p.takePassedAhead()).isFalse();
        p.accept(page(4, null, 8L, "g", "h"));
        assertThat(p.hasNext()).as("the last page is stored, but not the pages below it").isTrue();
        p.takeStoredAhead();
        p.accept(page(2, "4", 8L, "c", "d"));
        assertThat(p.pageNo()).as("page 2 joins up pages 3 and 4").isEqualTo(4);
        assertThat(p.takePassedAhead()).as("their rows go in page 2's transaction").isTrue();
        assertThat(p.takeStoredAhead()).isNull();
        assertThat(p.hasNext()).isFalse();
        assertThat(p.leads()).isEqualTo(8);
        assertThat(p.pagesAhead()).isZero();
    }

    @Test
    void aResumedPullSkipsThePagesAnEarlierRunStoredAhead() {
        PullState p = pull(0, 0);
        p.resume(saved("RUNNING", "4", 2, 6, 5));
        p.storedAheadEarlier(4, "8", 10L);
        p.storedAheadEarlier(5, null, 10L);
        p.accept(page(3, "6", 10L, "e", "f"));
        assertThat(p.pageNo()).isEqualTo(5);
        assertThat(p.hasNext()).as("page 5 was the last").isFalse();
        assertThat(p.takePassedAhead()).isTrue();
    }

    @Test
    void aPageInFlightWhenTheCapIsReachedIsStoredButDoesNotRestartTheLoop() {
        PullState p = pull(3, 0);
        p.startNew("pull-1");
        requests.set(2);
        assertThat(p.mayStart()).isTrue();
        requests.set(3);
        assertThat(p.mayStart()).as("the cap of 3 requests is reached").isFalse();
        assertThat(p.isCapped()).isTrue();
        p.accept(page(1, "2", 10L, "a", "b"));
        assertThat(p.hasNext()).as("a page still in flight does not reopen the loop").isFalse();
        assertThat(p.pageNo()).isEqualTo(1);
        assertThat(p.status()).isEqualTo("CAPPED");
    }

    @Test
    void aJobFailsOnceHoweverManyPagesInFlightFailAndTheOthersWaitForItsReport() throws Exception {
        PullState p = pull(0, 0);
        assertThat(p.firstFailure()).isTrue();
        java.util.concurrent.CompletableFuture<Boolean> second = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return p.firstFailure();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertThat(second).as("a later failure waits while the first is being recorded and reported").isNotDone();
        p.failureReported();
        assertThat(second.get(5, java.util.concurrent.TimeUnit.SECONDS)).isFalse();
    }
}
