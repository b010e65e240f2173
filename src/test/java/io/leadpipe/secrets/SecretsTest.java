package io.leadpipe.secrets;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class SecretsTest {

    @Test
    void aRegisteredSecretIsScrubbedByValueInEveryFormItTakes() {
        Secrets.register("sk_live/abc+def 123");
        assertThat(Secrets.scrub("401: bad key sk_live/abc+def 123 (Authorization: Bearer sk_live/abc+def 123)"))
                .isEqualTo("401: bad key **** (Authorization: Bearer ****)");
        assertThat(Secrets.scrub("GET /x?key=sk_live%2Fabc%2Bdef+123")).isEqualTo("GET /x?key=****");
        assertThat(Secrets.scrub("GET /x?key=sk_live%2Fabc%2Bdef%20123")).isEqualTo("GET /x?key=****");
        assertThat(Secrets.scrub("{\"key\":\"sk_live\\/abc+def 123\"}")).isEqualTo("{\"key\":\"****\"}");
    }

    @Test
    void tokensRegisteredLaterAreScrubbedFromThenOn() {
        assertThat(Secrets.scrub("token oauth-token-42xyz")).contains("oauth-token-42xyz");
        Secrets.register("oauth-token-42xyz");
        assertThat(Secrets.scrub("token oauth-token-42xyz")).isEqualTo("token ****");
    }

    @Test
    void shortSecretsOnlyAsWholeWordsSoOrdinaryTextSurvives() {
        Secrets.register("pw12");
        assertThat(Secrets.scrub("password pw12 given; pw123 and xpw12 are other words")).isEqualTo("password **** given; pw123 and xpw12 are other words");
        Secrets.register("  ");
        assertThat(Secrets.scrub("a b")).isEqualTo("a b");
    }

    @Test
    void emailAddressesPlainUrlEncodedAndJsonEscapedAreMasked() {
        assertThat(Secrets.scrub("lead carol@example.com failed")).isEqualTo("lead <e-mail> failed");
        assertThat(Secrets.scrub("GET /v1/leads?cursor=carol%40example.com&limit=100")).isEqualTo("GET /v1/leads?cursor=<e-mail>&limit=100");
        assertThat(Secrets.scrub("cursor=carol%2540example.com")).isEqualTo("cursor=<e-mail>");
        assertThat(Secrets.scrub("{\"id\":\"carol\\u0040example.com\"}")).isEqualTo("{\"id\":\"<e-mail>\"}");
        assertThat(Secrets.scrub("100% done, 40 pages")).isEqualTo("100% done, 40 pages");
    }

    @Test
    void theConsoleStreamScrubsLinesPrintfAndStackTraces() {
        Secrets.register("console-secret-99");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream console = ScrubbingPrintStream.wrap(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        console.println("line console-secret-99 dave@example.org");
        console.printf("%s and %s%n", "console-secret-99", "eve%40example.net");
        new IllegalStateException("boom console-secret-99").printStackTrace(console);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).doesNotContain("console-secret-99").doesNotContain("example.org").doesNotContain("example.net")
                .contains("line **** <e-mail>").contains("**** and <e-mail>").contains("IllegalStateException: boom ****");
        assertThat(ScrubbingPrintStream.wrap(console)).isSameAs(console);
    }
}
