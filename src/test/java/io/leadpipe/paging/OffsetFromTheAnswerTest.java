package io.leadpipe.paging;

import org.junit.jupiter.api.Test;

import static io.leadpipe.paging.Pages.after;
import static io.leadpipe.paging.Pages.page;
import static io.leadpipe.paging.Pages.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Offset paging where the answer says where to go on (Pipedrive's additional_data.pagination:
 * more_items_in_collection and next_start), and page paging with a has-more flag.
 */
class OffsetFromTheAnswerTest {

    private static final String MORE = "/additional_data/pagination/more_items_in_collection";
    private static final String NEXT = "/additional_data/pagination/next_start";
    private final OffsetPaginator pipedrive = new OffsetPaginator(false, "start", 0, "/meta/total", null, MORE, NEXT);

    private static String body(int start, int n, boolean more, Integer nextStart) {
        return "{'data':" + records(start, n) + ",'additional_data':{'pagination':{'start':" + start + ",'limit':" + n
                + ",'more_items_in_collection':" + more + (nextStart == null ? "" : ",'next_start':" + nextStart) + "}}}";
    }

    @Test
    void theNextOffsetIsTheOneTheAnswerNames() {
        assertThat(pipedrive.call(null).params()).containsEntry("start", "0");
        // the API names 150 although it served 100 (it skipped some): its word, not our arithmetic
        assertThat(pipedrive.next(null, page(body(0, 100, true, 150)))).isEqualTo("150");
        assertThat(pipedrive.call("150").params()).containsEntry("start", "150");
    }

    @Test
    void moreItemsFalseEndsTheListEvenAfterAFullPage() {
        assertThat(pipedrive.next("1900", after(100, body(1900, 100, false, null)))).isNull();
    }

    @Test
    void noNextStartEndsTheList() {
        assertThat(pipedrive.next("100", after(100, body(100, 100, true, null)))).isNull();
    }

    @Test
    void aNextStartThatDoesNotMoveForwardIsAMalformedAnswer() {
        assertThatThrownBy(() -> pipedrive.next("100", after(100, body(100, 100, true, 100))))
                .isInstanceOf(MalformedPageException.class).hasMessageContaining("does not move past 100");
        assertThatThrownBy(() -> pipedrive.next("100", after(100, "{'data':" + records(100, 1)
                + ",'additional_data':{'pagination':{'more_items_in_collection':true,'next_start':'soon'}}}")))
                .isInstanceOf(MalformedPageException.class).hasMessageContaining("not a whole number");
    }

    @Test
    void aHasMoreFlagDecidesOverAShortPageAndOverTheTotal() {
        OffsetPaginator offsets = new OffsetPaginator(false, "offset", 0, "/meta/total", null, "/has_more", null);
        assertThat(offsets.next("100", after(100, "{'data':" + records(100, 20) + ",'has_more':true}"))).as("short page, flag true").isEqualTo("120");
        assertThat(offsets.next("0", page("{'data':" + records(0, 100) + ",'has_more':false,'meta':{'total':500}}"))).isNull();
        OffsetPaginator pages = new OffsetPaginator(true, "page", 1, "/meta/total", "/meta/total_pages", "/has_more", null);
        assertThat(pages.next("2", after(100, "{'data':" + records(100, 100) + ",'has_more':false}"))).isNull();
        assertThat(pages.next("2", after(100, "{'data':" + records(100, 100) + ",'has_more':true}"))).isEqualTo("3");
    }

    @Test
    void withoutTheFlagOffsetPagingGoesByTotalAsBefore() {
        OffsetPaginator offsets = new OffsetPaginator(false, "offset", 0, "/meta/total", null, "/has_more", null);
        assertThat(offsets.next("0", page("{'data':" + records(0, 100) + ",'meta':{'total':150}}"))).isEqualTo("100");
        assertThat(offsets.next("100", after(100, "{'data':" + records(100, 50) + ",'meta':{'total':150}}"))).isNull();
    }
}
