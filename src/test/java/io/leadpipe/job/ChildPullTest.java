package io.leadpipe.job;

import io.leadpipe.config.ChildRequest;
import io.leadpipe.paging.FetchedPage;
import io.leadpipe.paging.LoopGuard;
import io.leadpipe.paging.PagingLoopException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One parent's child list: its request, its loop guard, and when it (and its siblings) stop. */
class ChildPullTest {

    private final AtomicBoolean stop = new AtomicBoolean();

    private ChildRun run(String template) {
        Pull job = new Pull(new JobSpec("job", "companies", "", 0, 0, null, "", null, null), false, new LoopGuard("companies", false, 2), () -> 0L, () -> false);
        job.startNew("pull-1");
        return new ChildRun(job, "contacts", "status=active", ChildRequest.parse(template), stop::get);
    }

    private static ChildPull list(ChildRun run, String parent, String position) {
        return new ChildPull(run, 7, parent, position, position == null ? 0 : 2, 0, () -> new LoopGuard("contacts", false, 2));
    }

    private static FetchedPage page(int no, String next, String... ids) {
        return new FetchedPage(no, List.of(ids), List.of(ids), next, null, 2, "pull-1:" + String.join("", ids));
    }

    @Test
    void thePathFormPutsTheParentsIdIntoTheUrlAndTheFilterFormIntoTheQuery() {
        ChildPull byPath = list(run("/v1/companies/{id}/contacts"), "co 1/2", null);
        assertThat(byPath.endpoint("http://api.example.com/v2/things")).isEqualTo("http://api.example.com/v1/companies/co%201%2F2/contacts");
        assertThat(byPath.filters()).isEqualTo("status=active");
        assertThat(list(run("{id}/contacts"), "42", null).endpoint("http://api.example.com/v1/companies")).isEqualTo("http://api.example.com/v1/companies/42/contacts");
        ChildPull byFilter = list(run("company_id={id}"), "a&b", null);
        assertThat(byFilter.endpoint("http://api.example.com/v1/contacts")).isEqualTo("http://api.example.com/v1/contacts");
        assertThat(byFilter.filters()).isEqualTo("status=active&company_id=a%26b");
        assertThat(byFilter.pullId()).as("child leads belong to the job's pull").isEqualTo("pull-1");
        assertThat(byFilter.pageKey(page(1, null, "x"))).as("but page keys are per parent").startsWith("pull-1:c7:");
    }

    @Test
    void aTemplateWithoutTheIdOrWithAQueryIsRefused() {
        assertThatThrownBy(() -> ChildRequest.parse("/companies/contacts")).hasMessageContaining("{id}");
        assertThatThrownBy(() -> ChildRequest.parse("/companies/{id}/contacts?limit=5")).hasMessageContaining("not a URL with a query");
    }

    @Test
    void theLoopGuardCatchesAChildCursorThatRepeats() {
        ChildPull l = list(run("{id}/contacts"), "42", "c2");
        FetchedPage same = page(3, "c2", "e", "f");
        assertThatThrownBy(() -> l.inspect(same)).isInstanceOf(PagingLoopException.class).hasMessageContaining("same cursor twice");
        ChildPull cycle = list(run("{id}/contacts"), "43", null);
        cycle.inspect(page(1, "c1", "a", "b"));
        cycle.accept(page(1, "c1", "a", "b"));
        cycle.inspect(page(2, "c2", "c", "d"));
        cycle.accept(page(2, "c2", "c", "d"));
        assertThatThrownBy(() -> cycle.inspect(page(3, "c1", "e", "f"))).isInstanceOf(PagingLoopException.class).hasMessageContaining("cursor cycle");
    }

    @Test
    void aListEndsWithItsLastPageAndEveryListStopsWhenASiblingFailsOrAStopIsAsked() {
        ChildRun run = run("{id}/contacts");
        ChildPull a = list(run, "1", null);
        ChildPull b = list(run, "2", null);
        a.accept(page(1, null, "x"));
        assertThat(a.hasNext()).isFalse();
        assertThat(a.done()).isTrue();
        assertThat(b.hasNext()).isTrue();
        run.failed(b, new IllegalStateException("boom"), "boom");
        assertThat(b.hasNext()).as("a sibling failed").isFalse();
        assertThat(run.interrupted()).isFalse();

        ChildRun other = run("{id}/contacts");
        ChildPull c = list(other, "3", null);
        stop.set(true);
        assertThat(c.hasNext()).isFalse();
        assertThat(other.interrupted()).isTrue();
        assertThat(other.hasNext()).isFalse();
    }
}
