package io.leadpipe.http;

import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpMethods;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HttpMethodConvertersTest {

    @Test
    void aMethodConvertsByItsOwnConverterAndANameThatIsNoMethodIsRefusedAsBefore() throws Exception {
        try (CamelContext camel = new DefaultCamelContext()) {
            camel.start();
            // without it Camel has no converter for the pair, and its enum converter scans the registry on every call
            assertThat(camel.getTypeConverterRegistry().lookup(HttpMethods.class, String.class)).isNull();
            camel.getTypeConverterRegistry().addTypeConverters(new HttpMethodConverters());
            assertThat(camel.getTypeConverterRegistry().lookup(HttpMethods.class, String.class)).isNotNull();
            assertThat(camel.getTypeConverter().convertTo(HttpMethods.class, " patch")).isSameAs(HttpMethods.PATCH);
            assertThat(camel.getTypeConverter().convertTo(HttpMethods.class, "POST")).isSameAs(HttpMethods.POST);
            // camel-http reads the header with a plain convertTo: a name that is no method fails the call, naming it
            assertThatThrownBy(() -> camel.getTypeConverter().convertTo(HttpMethods.class, "FETCH")).hasStackTraceContaining("'FETCH' is not an HTTP method");
        }
    }
}
