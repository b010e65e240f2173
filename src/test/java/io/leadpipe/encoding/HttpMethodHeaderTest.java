package io.leadpipe.encoding;

import org.apache.camel.Exchange;
import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpMethods;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HttpMethodHeaderTest {

    @Test
    void theHeaderIsTheEnumCamelHttpReadsWhateverTheCaseOfItsName() throws Exception {
        try (CamelContext camel = new DefaultCamelContext()) {
            Exchange ex = new DefaultExchange(camel);
            HttpMethodHeader.set(ex.getMessage(), " patch");
            assertThat(ex.getMessage().getHeader(Exchange.HTTP_METHOD)).isSameAs(HttpMethods.PATCH);
        }
    }

    @Test
    void aNameThatIsNoMethodFailsNamingIt() {
        assertThatThrownBy(() -> HttpMethodHeader.of("FETCH")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'FETCH' is not an HTTP method camel-http sends");
    }
}
