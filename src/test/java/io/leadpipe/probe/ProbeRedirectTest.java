package io.leadpipe.probe;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.testing.TestWorkspace;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** `probe` of an API that redirects (a login page, a moved endpoint) shows where it points: leadpipe does not follow redirects. */
class ProbeRedirectTest {

    @Test
    void aRedirectShowsItsLocation() throws Exception {
        try (TestWorkspace ws = new TestWorkspace(); FakeApi api = new FakeApi((ex, n) -> {
            ex.getResponseHeaders().set("Location", "https://login.example.net/sso?next=%2Fv1%2Fleads");
            FakeApi.send(ex, 302, "text/html", "<html>moved</html>");
        }).serve(ws)) {
            TestWorkspace.CliResult probe = ws.cli(TestWorkspace.envWithKey(), "probe", "leads-api");
            assertThat(probe.out()).as(probe.out() + probe.err()).contains("302").contains("https://login.example.net/sso?next=%2Fv1%2Fleads");
            assertThat(probe.exitCode()).isEqualTo(1);
        }
    }
}
