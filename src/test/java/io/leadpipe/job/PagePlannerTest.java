package io.leadpipe.job;

import io.leadpipe.paging.FetchedPage;
import io.leadpipe.paging.LoopGuard;
import io.leadpipe.paging.PlannedPage;
import io.leadpipe.paging.PullPosition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The parallel-page planner: when a pass fetches a window, and which pages it holds. */
class PagePlannerTest {

    private final AtomicBoolean stop = new AtomicBoolean();
    private Set<Integer> skipped;
    private int asked;

    /** Offset paging: page k after the checkpoint starts at (page + k) * size, as far as the total reaches. */
    private final PagePlanner planner = new PagePlanner((PullPosition pull, long total, Set<Integer> stored, int max) -> {
        skipped = stored;
        asked = max;
        List<PlannedPage> pages = new ArrayList<>();
        for (int k = 0; pages.size() < max; k++) {
            long offset = (long) (pull.pageNo() + k) * pull.largestPage();
            if (offset >= total) break;
            int number = pull.pageNo() + 1 + k;
            if (!stored.contains(number)) pages.add(new PlannedPage(pull, number, Long.toString(offset), pull.largestPage()));
        }
        return pages;
    });

    private Pull pull(int concurrency) {
        Pull p = new Pull(new JobSpec("job", "api", "", 0, 0, null, "", null, null), true, new LoopGuard("api", true, 2), () -> 0L, stop::get);
        p.pagesInParallel(concurrency);
        p.startNew("pull-1");
        return p;
    }

    private static FetchedPage page(int no, String next, Long total, String... ids) {
        return new FetchedPage(no, List.of(ids), List.of(ids), next, total, 2, "p:" + no);
    }

    @Test
    void oneAtATimeUntilAPageOfThisRunShowedTheSizeAndTheTotal() {
        Pull p = pull(4);
        assertThat(planner.window(p)).as("no page read yet").isEmpty();
        p.pageStored(page(1, "2", null, "a", "b"));
        assertThat(planner.window(p)).as("no total yet").isEmpty();
        Pull single = pull(1);
        single.pageStored(page(1, "2", 10L, "a", "b"));
        assertThat(planner.window(single)).as("concurrency 1").isEmpty();
    }

    @Test
    void aWindowHoldsThePagesAfterTheCheckpointSkippingThoseStoredAhead() {
        Pull p = pull(2);
        p.pageStored(page(1, "2", 10L, "a", "b"));
        p.pageStored(page(3, "6", 10L, "e", "f"));
        List<PlannedPage> window = planner.window(p);
        assertThat(window).extracting(PlannedPage::number).containsExactly(2, 4, 5);
        assertThat(window).extracting(PlannedPage::position).containsExactly("2", "6", "8");
        assertThat(skipped).containsExactly(3);
        assertThat(asked).as("pages per pass: per slot in flight").isEqualTo(2 * PagePlanner.WINDOW_PER_SLOT);
        assertThat(p.pageNo()).as("planning changed nothing").isEqualTo(1);
    }

    @Test
    void noWindowOnceTheLoopEnds() {
        Pull p = pull(2);
        p.pageStored(page(1, "2", 10L, "a", "b"));
        stop.set(true);
        assertThat(planner.window(p)).isEmpty();
    }
}
