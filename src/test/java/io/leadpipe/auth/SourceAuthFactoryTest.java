package io.leadpipe.auth;

import com.sun.net.httpserver.HttpServer;
import io.leadpipe.config.Settings;
import io.leadpipe.http.SourceAuth;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** bearer and basic, as a real HTTP client sends them: the header the API receives. */
class SourceAuthFactoryTest {

    private static String authorizationSent(Map<String, String> settings, Map<String, String> env) throws Exception {
        AtomicReference<String> received = new AtomicReference<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 5);
        server.createContext("/", ex -> {
            received.set(ex.getRequestHeaders().getFirst("Authorization"));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.start();
        try {
            Settings s = Settings.load(Path.of("application.properties"), null, settings, env, new Properties());
            SourceAuth auth = new SourceAuthFactory(env, java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(30))
                    .create(io.leadpipe.source.SourceSpec.read(s, "leads-api", env).auth());
            HttpClientBuilder builder = HttpClientBuilder.create();
            auth.configureHttpClient(builder);
            try (CloseableHttpClient client = builder.build()) {
                client.execute(new HttpGet("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/leads"), r -> null);
            }
            assertThat(auth.toString()).doesNotContain(env.values().iterator().next());
            return received.get();
        } finally {
            server.stop(0);
        }
    }

    @Test
    void bearerSendsTheStaticTokenAsAnAuthorizationBearerHeader() throws Exception {
        assertThat(authorizationSent(Map.of("leadpipe.source.leads-api.auth", "bearer"), Map.of("LEADPIPE_API_KEY", "pat-4f1e9a77c2")))
                .isEqualTo("Bearer pat-4f1e9a77c2");
    }

    @Test
    void basicSendsUserAndPasswordEncoded() throws Exception {
        String sent = authorizationSent(Map.of("leadpipe.source.leads-api.auth", "basic", "leadpipe.source.leads-api.auth.user", "ana"),
                Map.of("LEADPIPE_LEADS_API_PASSWORD", "pw-b7c0d19e"));
        assertThat(sent).isEqualTo("Basic " + Base64.getEncoder().encodeToString("ana:pw-b7c0d19e".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aMissingKeyNamesTheSettingOfTheApiItBelongsTo() {
        Settings s = Settings.load(Path.of("application.properties"), null, Map.of(), Map.of(), new Properties());
        SourceAuthFactory factory = new SourceAuthFactory(Map.of(), java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(30));
        AuthSpec crm = AuthSpec.read(new io.leadpipe.config.ApiKeys(s, "leadpipe.sink.crm.", "sink API 'crm'"), "crm", "Authorization", "Bearer", "LEADPIPE_CRM_API_KEY");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> factory.create(crm))
                .hasMessage("sink API 'crm': no API key. Set the environment variable LEADPIPE_CRM_API_KEY or point leadpipe.sink.crm.api-key-file at a file holding the key");
    }
}
