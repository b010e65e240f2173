package io.leadpipe.paging;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.leadpipe.paging.Pages.after;
import static io.leadpipe.paging.Pages.page;
import static io.leadpipe.paging.Pages.records;
import static org.assertj.core.api.Assertions.assertThat;

class KeysetPaginatorTest {

    private final KeysetPaginator keyset = new KeysetPaginator("starting_after", "/has_more");

    @Test
    void keysetFirstPageHasNoStartingAfter() {
        assertThat(keyset.call(null).params()).isEmpty();
    }

    @Test
    void keysetAsksForRecordsAfterTheLastId() {
        assertThat(keyset.call("L2").params()).containsExactly(Map.entry("starting_after", "L2"));
    }

    @Test
    void keysetContinuesFromTheLastIdWhileHasMoreIsTrue() {
        assertThat(keyset.next(null, page("{'data':" + records(0, 3) + ",'has_more':true}"))).isEqualTo("L2");
    }

    @Test
    void keysetStopsOnHasMoreFalse() {
        assertThat(keyset.next("L2", page("{'data':" + records(3, 3) + ",'has_more':false}"))).isNull();
    }

    @Test
    void keysetHasMoreWinsOverAShortPage() {
        assertThat(keyset.next(null, page("{'data':" + records(0, 1) + ",'has_more':true}"))).as("the flag decides, not the page size").isEqualTo("L0");
    }

    @Test
    void keysetWithoutAFlagStopsOnAPageShorterThanTheApiHasBeenServing() {
        assertThat(keyset.next(null, page("{'data':" + records(0, 3) + "}"))).isEqualTo("L2");
        assertThat(keyset.next("L2", after(3, "{'data':" + records(3, 2) + "}"))).isNull();
    }

    @Test
    void keysetWithoutAFlagAsksOnAfterAShortFirstPage() {
        // the API may serve fewer than asked for: only an empty or a shorter page ends the list
        assertThat(keyset.next(null, page("{'data':" + records(0, 2) + "}"))).isEqualTo("L1");
        assertThat(keyset.next("L1", after(2, "{'data':" + records(2, 2) + "}"))).isEqualTo("L3");
        assertThat(keyset.next("L3", after(2, "{'data':[]}"))).isNull();
    }

    @Test
    void keysetStopsOnAnEmptyPageEvenIfHasMoreSaysTrue() {
        assertThat(keyset.next("L2", page("{'data':[],'has_more':true}"))).isNull();
    }

    @Test
    void keysetStopsWhenTheLastRecordHasNoId() {
        assertThat(keyset.next(null, page("{'data':[{'name':'x'},{'name':'y'},{'name':'z'}],'has_more':true}"))).isNull();
    }
}
