package io.leadpipe.paging;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoopGuardTest {

    private static FetchedPage page(int no, String next, String... ids) {
        return new FetchedPage(no, List.of(ids), List.of(ids), next, null, 2, "pull:" + String.join("-", ids));
    }

    @Test
    void stopsWhenTheSameCursorComesTwice() {
        LoopGuard guard = new LoopGuard("api", false, 2);
        assertThatThrownBy(() -> guard.check("c1", page(2, "c1", "a", "b"), null, 0))
                .isInstanceOf(PagingLoopException.class).hasMessageContaining("same cursor twice in a row (page 2)");
    }

    @Test
    void stopsOnACursorUsedEarlierInTheRun() {
        LoopGuard guard = new LoopGuard("api", false, 2);
        guard.check(null, page(1, "c1", "a", "b"), null, 0);
        guard.check("c1", page(2, "c2", "c", "d"), null, 0);
        assertThatThrownBy(() -> guard.check("c2", page(3, "c1", "e", "f"), null, 0))
                .isInstanceOf(PagingLoopException.class).hasMessageContaining("cursor cycle");
    }

    @Test
    void stopsWhenAnOffsetApiReturnsTheSamePageAgain() {
        LoopGuard guard = new LoopGuard("api", true, 2);
        guard.check(null, page(1, "2", "a", "b"), null, 0);
        assertThatThrownBy(() -> guard.check("2", page(2, "4", "a", "b"), null, 0))
                .isInstanceOf(PagingLoopException.class).hasMessageContaining("same page twice in a row (page 2)");
    }

    @Test
    void theSamePageAgainIsNotALoopOnCursorApis() {
        LoopGuard guard = new LoopGuard("api", false, 2);
        guard.check(null, page(1, "c1", "a", "b"), null, 0);
        assertThatCode(() -> guard.check("c1", page(2, "c2", "a", "b"), null, 0)).doesNotThrowAnyException();
    }

    @Test
    void stopsWhenPagesOutrunTheApisOwnTotal() {
        LoopGuard guard = new LoopGuard("api", false, 2);
        assertThatCode(() -> guard.check("c2", page(3, "c3", "e", "f"), 5L, 0)).doesNotThrowAnyException();
        assertThatThrownBy(() -> guard.check("c3", page(4, "c4", "g", "h"), 5L, 0))
                .isInstanceOf(PagingLoopException.class).hasMessageContaining("total of 5 records means 3 pages of 2");
    }

    @Test
    void theTotalIsCountedInPagesOfTheSizeTheApiServes() {
        // asked for 5 per page, served 2: a total of 5 means 3 pages, and page 3 may still say "more"
        LoopGuard guard = new LoopGuard("api", false, 5);
        guard.check(null, page(1, "c1", "a", "b"), 5L, 0);
        assertThatCode(() -> guard.check("c1", page(2, "c2", "c", "d"), 5L, 0)).doesNotThrowAnyException();
        assertThatCode(() -> guard.check("c2", page(3, "c3", "e"), 5L, 0)).doesNotThrowAnyException();
        assertThatThrownBy(() -> guard.check("c3", page(4, "c4", "f", "g"), 5L, 0))
                .isInstanceOf(PagingLoopException.class).hasMessageContaining("total of 5 records means 3 pages of 2");
    }

    @Test
    void anApiServingMoreThanAskedDoesNotTightenTheBound() {
        LoopGuard guard = new LoopGuard("api", false, 2);
        guard.check(null, page(1, "c1", "a", "b", "c", "d"), 8L, 0);
        assertThatCode(() -> guard.check("c1", page(2, "c2", "e", "f", "g", "h"), 8L, 0)).as("8 records in pages of 2 asked for").doesNotThrowAnyException();
    }

    @Test
    void duplicatePagesDoNotCountAgainstTheTotal() {
        LoopGuard guard = new LoopGuard("api", false, 2);
        assertThatCode(() -> guard.check("c3", page(4, "c4", "g", "h"), 5L, 1)).doesNotThrowAnyException();
    }

    @Test
    void remembersOnlyTheMostRecentCursors() {
        LoopGuard guard = new LoopGuard("api", false, 2, 3);
        for (int i = 1; i <= 10; i++) guard.check("c" + i, page(i, "c" + (i + 1), "x" + i), null, 0);
        org.assertj.core.api.Assertions.assertThat(guard.rememberedCursors()).isEqualTo(3);
        // c1 was forgotten (bounded memory), a recent one is still caught
        assertThatCode(() -> guard.check("c11", page(11, "c1", "y"), null, 0)).doesNotThrowAnyException();
        assertThatThrownBy(() -> guard.check("c1", page(12, "c10", "z"), null, 0)).isInstanceOf(PagingLoopException.class);
    }

    @Test
    void theDefaultBoundIsNamed() {
        org.assertj.core.api.Assertions.assertThat(LoopGuard.REMEMBERED_CURSORS).isEqualTo(10_000);
    }
}
