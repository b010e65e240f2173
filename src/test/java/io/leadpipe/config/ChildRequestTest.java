package io.leadpipe.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The host a path of a child request or a feed of deletions is put on: a source's URL up to its path, query or fragment. */
class ChildRequestTest {

    @ParameterizedTest
    @CsvSource({
            "https://api.pipedrive.com/api/v2/persons, https://api.pipedrive.com",
            "http://127.0.0.1:8080/v1/leads?limit=100, http://127.0.0.1:8080",
            "https://acme.example.com?api_token=x, https://acme.example.com",
            "https://acme.example.com#top, https://acme.example.com",
            "http://127.0.0.1:8080, http://127.0.0.1:8080"})
    void theOriginEndsWhereThePathQueryOrFragmentBegins(String url, String origin) {
        assertThat(ChildRequest.origin(url)).isEqualTo(origin);
    }
}
