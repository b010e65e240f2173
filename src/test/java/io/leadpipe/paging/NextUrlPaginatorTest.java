package io.leadpipe.paging;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.leadpipe.paging.Pages.page;
import static io.leadpipe.paging.Pages.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NextUrlPaginatorTest {

    private final NextUrlPaginator body = new NextUrlPaginator("http://127.0.0.1:8089/v1/leads", "/links/next");
    private final NextUrlPaginator link = new NextUrlPaginator("http://127.0.0.1:8089/v1/leads", null);

    @Test
    void nextUrlFirstPageCallsTheSourceUrl() {
        assertThat(body.call(null).url()).isNull();
        assertThat(body.call(null).params()).isEmpty();
    }

    @Test
    void nextUrlIsCalledAsGivenWithNoExtraParameters() {
        Paginator.Call call = body.call("http://127.0.0.1:8089/v1/leads?page_token=abc&limit=100");
        assertThat(call.url()).isEqualTo("http://127.0.0.1:8089/v1/leads?page_token=abc&limit=100");
        assertThat(call.params()).isEmpty();
    }

    @Test
    void nextUrlFromTheBodyIsResolvedAgainstTheSourceUrl() {
        assertThat(body.next(null, page("{'data':" + records(0, 1) + ",'links':{'next':'/v1/leads?page_token=abc'}}")))
                .isEqualTo("http://127.0.0.1:8089/v1/leads?page_token=abc");
        assertThat(body.next(null, page("{'data':" + records(0, 1) + ",'links':{'next':'http://127.0.0.1:8089/v1/leads?page_token=def'}}")))
                .isEqualTo("http://127.0.0.1:8089/v1/leads?page_token=def");
    }

    @Test
    void nextUrlStopsWhenTheBodyHasNoNextLink() {
        assertThat(body.next(null, page("{'data':" + records(0, 1) + ",'links':{'next':null}}"))).isNull();
        assertThat(body.next(null, page("{'data':" + records(0, 1) + ",'links':{}}"))).isNull();
    }

    @Test
    void linkHeaderRelNextIsFollowed() {
        String header = "<http://127.0.0.1:8089/v1/leads?page=1>; rel=\"prev\", <http://127.0.0.1:8089/v1/leads?page=3>; rel=\"next\"";
        assertThat(link.next(null, page("{'data':[]}", Map.of("Link", header)))).isEqualTo("http://127.0.0.1:8089/v1/leads?page=3");
    }

    @Test
    void linkHeaderWithoutRelNextStops() {
        assertThat(link.next(null, page("{'data':[]}", Map.of("Link", "<http://127.0.0.1:8089/v1/leads?page=1>; rel=\"prev\""))))
                .isNull();
        assertThat(link.next(null, page("{'data':[]}"))).isNull();
    }

    @Test
    void nextUrlToAnotherHostIsRefusedSoTheKeyNeverLeaves() {
        assertThatThrownBy(() -> body.next(null, page("{'data':[],'links':{'next':'http://evil.example/steal'}}")))
                .isInstanceOf(MalformedPageException.class).hasMessageContaining("leaves the source's host");
    }
}
