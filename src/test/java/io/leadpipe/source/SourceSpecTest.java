package io.leadpipe.source;

import io.leadpipe.auth.SourceAuthFactory;
import io.leadpipe.config.ConfigException;
import io.leadpipe.config.Settings;
import io.leadpipe.config.SourceKeys;
import io.leadpipe.ratelimit.RateLimits;
import io.leadpipe.ratelimit.RatePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A source read once into one checked value, every problem one line naming the key; at run time one Source per spec. */
class SourceSpecTest {

    private static final Map<String, String> ENV = Map.of("LEADPIPE_API_KEY", "k-1", "OTHER_KEY", "k-2");

    private static Settings settings(String... kv) {
        Map<String, String> cli = new LinkedHashMap<>();
        cli.put("leadpipe.sources", "a,b");
        cli.put("leadpipe.source.a.url", "http://127.0.0.1:1/a");
        cli.put("leadpipe.source.b.url", "http://127.0.0.1:1/b");
        for (int i = 0; i < kv.length; i += 2) cli.put(kv[i], kv[i + 1]);
        return Settings.load(Path.of("application.properties"), null, cli, ENV, new Properties());
    }

    @Test
    void aSourceNoFileDescribesTakesEveryDeclaredDefault() {
        SourceSpec a = SourceSpec.read(settings(), "a", ENV);
        assertThat(a.paging().paging()).isEqualTo(SourceKeys.key("paging").defaultValue());
        assertThat(a.paging().pageSize()).isEqualTo(Integer.parseInt(SourceKeys.key("page-size").defaultValue()));
        assertThat(a.paging().recordsPointer()).isEqualTo(SourceKeys.key("records-pointer").defaultValue());
        assertThat(a.auth().kind()).isEqualTo("api-key");
        assertThat(a.auth().credentialHeader()).isEqualTo(SourceKeys.key("api-key-header").defaultValue());
        assertThat(a.quota().maxRequestsPerSecond()).isEqualTo(Integer.parseInt(SourceKeys.key("max-requests-per-second").defaultValue()));
        assertThat(a.quota().headers().remaining()).isEqualTo(SourceKeys.key("headers.remaining").defaultValue());
        assertThat(a.quota().windows().isEmpty()).isTrue();
        assertThat(a.headers().isEmpty()).isTrue();
        assertThat(a.delta().declared()).as("no delta description unless one is set").isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "leadpipe.source.a.url | ftp://x | invalid setting leadpipe.source.a.url = 'ftp://x' must start with http:// or https://",
            "leadpipe.source.a.page-size | 0 | invalid setting leadpipe.source.a.page-size = '0' must be between 1 and 100000",
            "leadpipe.source.a.paging | pages | invalid setting leadpipe.source.a.paging = 'pages' must be one of",
            "leadpipe.source.a.records-pointer | $.data | invalid setting leadpipe.source.a.records-pointer = '$.data' looks like a JSONPath",
            "leadpipe.source.a.auth | token | invalid setting leadpipe.source.a.auth = 'token' must be one of api-key",
            "leadpipe.source.a.auth.client-auth | form | invalid setting leadpipe.source.a.auth.client-auth = 'form' must be basic or body",
            "leadpipe.source.a.headers.reset-format | iso | invalid setting leadpipe.source.a.headers.reset-format = 'iso' must be one of auto, epoch-seconds",
            "leadpipe.source.a.rate-limit-rules | wait=reset | invalid setting leadpipe.source.a.rate-limit-rules = 'wait=reset'",
            "leadpipe.source.a.quota.minute.used-pattern | ( | invalid setting leadpipe.source.a.quota.minute.used-pattern = '(' must be a regular expression",
            "leadpipe.source.a.header.Host | x | invalid setting leadpipe.source.a.header.Host = 'x' sets Host, which the HTTP client writes itself",
            "leadpipe.source.a.body | {} | invalid setting leadpipe.source.a.body: leadpipe.source.a.body is set but leadpipe.source.a.method is not POST",
    })
    void everyProblemIsOneLineNamingTheKey(String key, String value, String message) {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put(key, value);
        if (key.contains("used-pattern")) extra.put("leadpipe.source.a.quota.minute.used-header", "X-Used");
        String[] kv = extra.entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue())).toArray(String[]::new);
        assertThatThrownBy(() -> SourceSpec.readAll(settings(kv), ENV)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(message).hasMessageNotContaining("\n");
    }

    @Test
    void aMissingRequiredSettingIsNamedToo() {
        assertThatThrownBy(() -> SourceSpec.read(settings("leadpipe.source.a.auth", "basic"), "a", ENV))
                .hasMessage("missing setting leadpipe.source.a.auth.user: source 'a' uses auth = basic, which needs a user");
        assertThatThrownBy(() -> SourceSpec.readDeclared(settings(), "c", ENV)).hasMessage("no source named 'c' in leadpipe.sources (a, b)");
    }

    @Test
    void sourcesOnOneKeyShareOneGovernorAndThrottlerBucketAndOtherKeysDoNot() {
        Settings s = settings();
        SourceAuthFactory credentials = new SourceAuthFactory(ENV, Duration.ofSeconds(1), Duration.ofSeconds(1));
        RateLimits rateLimits = new RateLimits();
        Sources same = Sources.connect(Sources.resolve(SourceSpec.readAll(s, ENV), credentials), rateLimits, new RatePolicy(10, Duration.ZERO, 1.0), c -> c);
        assertThat(same.of("b").quota().governor()).isSameAs(same.of("a").quota().governor());
        assertThat(same.of("b").quota().bucket()).isEqualTo("a");
        assertThat(rateLimits.quota("b")).isSameAs(same.of("b").quota());

        Settings apart = settings("leadpipe.source.b.api-key-env", "OTHER_KEY");
        RateLimits separate = new RateLimits();
        Sources two = Sources.connect(Sources.resolve(SourceSpec.readAll(apart, ENV), credentials), separate, new RatePolicy(10, Duration.ZERO, 1.0), c -> c);
        assertThat(two.of("b").quota().governor()).isNotSameAs(two.of("a").quota().governor());
        assertThat(separate.governors()).hasSize(2);
        assertThat(List.copyOf(two.all()).stream().map(Source::name)).containsExactly("a", "b");
    }
}
