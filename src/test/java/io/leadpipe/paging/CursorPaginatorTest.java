package io.leadpipe.paging;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.leadpipe.paging.Pages.page;
import static io.leadpipe.paging.Pages.records;
import static org.assertj.core.api.Assertions.assertThat;

class CursorPaginatorTest {

    private final CursorPaginator body = new CursorPaginator("cursor", "/meta/next_cursor", null);
    private final CursorPaginator header = new CursorPaginator("after", null, "X-Next-Cursor");

    @Test
    void cursorFirstPageHasNoCursorParameter() {
        assertThat(body.call(null).params()).isEmpty();
        assertThat(body.call(null).url()).isNull();
    }

    @Test
    void cursorIsSentAsTheConfiguredParameter() {
        assertThat(body.call("YWZ0ZXI6OTk").params()).containsExactly(Map.entry("cursor", "YWZ0ZXI6OTk"));
        assertThat(header.call("c2").params()).containsExactly(Map.entry("after", "c2"));
    }

    @Test
    void cursorNextComesFromTheBodyPointer() {
        assertThat(body.next(null, page("{'data':" + records(0, 2) + ",'meta':{'next_cursor':'c2'}}"))).isEqualTo("c2");
    }

    @Test
    void cursorStopsWhenTheNextCursorIsMissingNullOrEmpty() {
        assertThat(body.next("c1", page("{'data':" + records(0, 2) + ",'meta':{}}"))).isNull();
        assertThat(body.next("c1", page("{'data':" + records(0, 2) + ",'meta':{'next_cursor':null}}"))).isNull();
        assertThat(body.next("c1", page("{'data':" + records(0, 2) + ",'meta':{'next_cursor':''}}"))).isNull();
    }

    @Test
    void cursorHeaderIsReadCaseInsensitivelyAndTrimmed() {
        assertThat(header.next(null, page("{'data':[]}", Map.of("x-next-cursor", " c9 ")))).isEqualTo("c9");
    }

    @Test
    void cursorHeaderStopsWhenTheHeaderIsAbsentOrBlank() {
        assertThat(header.next("c1", page("{'data':" + records(0, 1) + "}"))).isNull();
        assertThat(header.next("c1", page("{'data':" + records(0, 1) + "}", Map.of("X-Next-Cursor", "  ")))).isNull();
    }

    @Test
    void cursorIsNotPositional() {
        assertThat(body.positional()).isFalse();
    }
}
