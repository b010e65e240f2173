package io.leadpipe.paging;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.leadpipe.paging.Pages.after;
import static io.leadpipe.paging.Pages.page;
import static io.leadpipe.paging.Pages.records;
import static org.assertj.core.api.Assertions.assertThat;

class OffsetPaginatorTest {

    private final OffsetPaginator offsets = new OffsetPaginator(false, "offset", 0, "/meta/total", null);
    private final OffsetPaginator pages = new OffsetPaginator(true, "page", 1, "/meta/total", "/meta/total_pages");

    @Test
    void offsetStartsAtZeroAndAdvancesByThePageSize() {
        assertThat(offsets.call(null).params()).containsExactly(Map.entry("offset", "0"));
        assertThat(offsets.next(null, page("{'data':" + records(0, 2) + ",'meta':{'total':5}}"))).isEqualTo("2");
        assertThat(offsets.call("2").params()).containsExactly(Map.entry("offset", "2"));
        assertThat(offsets.next("2", page("{'data':" + records(2, 2) + ",'meta':{'total':5}}"))).isEqualTo("4");
    }

    @Test
    void offsetStopsWhenTheTotalIsReached() {
        assertThat(offsets.next("2", page("{'data':" + records(2, 2) + ",'meta':{'total':4}}"))).isNull();
    }

    @Test
    void offsetStopsOnAnEmptyPage() {
        assertThat(offsets.next("4", page("{'data':[],'meta':{}}"))).isNull();
    }

    @Test
    void offsetWithoutATotalGoesOnAfterAFullPage() {
        assertThat(offsets.next("0", page("{'data':" + records(0, 2) + ",'meta':{}}"))).isEqualTo("2");
    }

    @Test
    void pageNumbersStartAtTheFirstPageAndAdvanceByOne() {
        assertThat(pages.call(null).params()).containsExactly(Map.entry("page", "1"));
        assertThat(pages.next(null, page("{'data':" + records(0, 2) + ",'meta':{'total':6}}"))).isEqualTo("2");
        assertThat(pages.next("2", page("{'data':" + records(2, 2) + ",'meta':{'total':6}}"))).isEqualTo("3");
    }

    @Test
    void pageNumbersStopWhenTheTotalIsReached() {
        assertThat(pages.next("2", page("{'data':" + records(2, 2) + ",'meta':{'total':4}}"))).isNull();
    }

    @Test
    void pageNumbersStopOnTotalPages() {
        assertThat(pages.next("3", page("{'data':" + records(4, 2) + ",'meta':{'total_pages':3}}"))).isNull();
        assertThat(pages.next("2", page("{'data':" + records(2, 2) + ",'meta':{'total_pages':3}}"))).isEqualTo("3");
    }

    @Test
    void offsetAdvancesByTheRecordsThatCameBackNotBySizeAskedFor() {
        // asked for 500, the API serves 100 (a clamp): the next offset is 100, not 500
        assertThat(offsets.next(null, page("{'data':" + records(0, 100) + ",'meta':{'total':250}}"))).isEqualTo("100");
        assertThat(offsets.next("100", after(100, "{'data':" + records(100, 100) + ",'meta':{'total':250}}"))).isEqualTo("200");
        assertThat(offsets.next("200", after(100, "{'data':" + records(200, 50) + ",'meta':{'total':250}}"))).isNull();
    }

    @Test
    void withoutATotalAShortFirstPageIsNotTheLastAsTheApiMayClampTheSize() {
        assertThat(offsets.next(null, page("{'data':" + records(0, 1) + ",'meta':{}}"))).as("short first page: ask on").isEqualTo("1");
        assertThat(offsets.next("1", after(1, "{'data':" + records(1, 1) + ",'meta':{}}"))).as("as long as the API has been serving").isEqualTo("2");
        assertThat(offsets.next("2", after(1, "{'data':[],'meta':{}}"))).as("an empty page ends it").isNull();
    }

    @Test
    void withoutATotalAPageShorterThanTheApiHasBeenServingIsTheLast() {
        assertThat(offsets.next("200", after(100, "{'data':" + records(200, 50) + ",'meta':{}}"))).isNull();
        assertThat(pages.next("3", after(100, "{'data':" + records(200, 50) + ",'meta':{}}"))).isNull();
        assertThat(pages.next("2", after(100, "{'data':" + records(100, 100) + ",'meta':{}}"))).isEqualTo("3");
    }

    @Test
    void pageNumbersCountTheTotalInPagesOfTheSizeTheApiServes() {
        // asked for 500 per page, served 100: a total of 250 means pages 1, 2 and 3
        assertThat(pages.next(null, page("{'data':" + records(0, 100) + ",'meta':{'total':250}}"))).isEqualTo("2");
        assertThat(pages.next("2", after(100, "{'data':" + records(100, 100) + ",'meta':{'total':250}}"))).isEqualTo("3");
        assertThat(pages.next("3", after(100, "{'data':" + records(200, 50) + ",'meta':{'total':250}}"))).isNull();
    }

    @Test
    void offsetAndPageNumbersArePositional() {
        assertThat(offsets.positional()).isTrue();
        assertThat(pages.positional()).isTrue();
    }
}
