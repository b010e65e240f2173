package io.leadpipe.http;

import io.leadpipe.secrets.Secrets;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The provider's own words, read from the shapes vendors answer a refusal in (quoted from their docs). */
class ProviderWordsTest {

    @Test
    void theCodeAndMessageOfEachVendorsRefusal() {
        // Zoho CRM (zoho.com/crm/developer/docs/api/v7/status-codes.html)
        assertThat(ProviderWords.of("{\"code\":\"INVALID_TOKEN\",\"details\":{},\"message\":\"invalid oauth token\",\"status\":\"error\"}", null))
                .isEqualTo("INVALID_TOKEN: invalid oauth token");
        // Salesforce (REST API "Status Codes and Error Responses"): an array
        assertThat(ProviderWords.of("[{\"message\":\"Session expired or invalid\",\"errorCode\":\"INVALID_SESSION_ID\"}]", null))
                .isEqualTo("INVALID_SESSION_ID: Session expired or invalid");
        // RFC 6749 §5.2
        assertThat(ProviderWords.of("{\"error\":\"invalid_grant\",\"error_description\":\"expired\"}", null)).isEqualTo("invalid_grant: expired");
        // Intercom / JSON:API lists, Close's nested object
        assertThat(ProviderWords.of("{\"type\":\"error.list\",\"errors\":[{\"code\":\"unauthorized\",\"message\":\"Access Token Invalid\"}]}", null))
                .isEqualTo("unauthorized: Access Token Invalid");
        assertThat(ProviderWords.of("{\"error\":{\"message\":\"API key is invalid\"}}", null)).isEqualTo("API key is invalid");
        // RFC 6750 §3: only the challenge says it
        assertThat(ProviderWords.of("", "Bearer error=\"invalid_token\", error_description=\"The access token expired\""))
                .isEqualTo("WWW-Authenticate: Bearer error=\"invalid_token\", error_description=\"The access token expired\"");
        assertThat(ProviderWords.of("<html>Unauthorized</html>", null)).isEqualTo("<html>Unauthorized</html>");
        assertThat(ProviderWords.of(null, null)).isNull();
    }

    @Test
    void aSecretTheProviderEchoesIsScrubbedAndALongMessageCut() {
        String token = "tok-" + java.util.UUID.randomUUID();
        Secrets.register(token);
        assertThat(ProviderWords.of("{\"error\":\"invalid_token\",\"error_description\":\"token " + token + " expired\"}", null))
                .doesNotContain(token).startsWith("invalid_token: token ");
        assertThat(ProviderWords.of("{\"message\":\"" + "x".repeat(500) + "\"}", null)).hasSize(201).endsWith("…");
    }
}
