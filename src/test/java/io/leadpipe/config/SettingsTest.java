package io.leadpipe.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Layering and key mapping of settings, against the real application.properties. */
class SettingsTest {

    private static final Path APP = Path.of("application.properties");

    private static Settings load(Map<String, String> env, Map<String, String> cli) {
        return Settings.load(APP, null, cli, env, new Properties());
    }

    private static Map<String, String> map(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void environmentSetsTheSettingsOfASourceNoFileMentions() {
        Settings s = load(map("LEADPIPE_SOURCES", "leads-api,crm2",
                "LEADPIPE_SOURCE_CRM2_URL", "https://crm2.example/v1/contacts",
                "LEADPIPE_SOURCE_CRM2_PAGE_SIZE", "250",
                "LEADPIPE_SOURCE_CRM2_NEXT_CURSOR_POINTER", "/paging/next",
                "LEADPIPE_SOURCE_CRM2_HEADERS_RESET_FORMAT", "delta-seconds"), Map.of());

        assertThat(s.get("leadpipe.source.crm2.url")).isEqualTo("https://crm2.example/v1/contacts");
        assertThat(s.getInt("leadpipe.source.crm2.page-size", 100, 1, 1000)).isEqualTo(250);
        assertThat(s.get("leadpipe.source.crm2.next-cursor-pointer")).isEqualTo("/paging/next");
        assertThat(s.get("leadpipe.source.crm2.headers.reset-format")).isEqualTo("delta-seconds");
        assertThat(s.asProperties()).as("Camel sees them too").containsEntry("leadpipe.source.crm2.url", "https://crm2.example/v1/contacts");
    }

    @Test
    void theSourceListMayComeFromAnyLayer() {
        Settings s = load(map("LEADPIPE_SOURCE_CRM2_URL", "https://crm2.example/v1"), map("leadpipe.sources", "crm2"));
        assertThat(s.get("leadpipe.source.crm2.url")).isEqualTo("https://crm2.example/v1");
        assertThat(s.invalid("leadpipe.source.crm2.url", "x", "is bad").getMessage()).endsWith("(from environment variable LEADPIPE_SOURCE_CRM2_URL)");
    }

    @Test
    void dashOptionAndJvmPropertySetKeysNoFileMentions() {
        Properties jvm = new Properties();
        jvm.setProperty("leadpipe.source.crm2.page-size", "40");
        Settings s = Settings.load(APP, null, map("leadpipe.sources", "leads-api,crm2", "leadpipe.source.crm2.url", "https://crm2.example/v1"), Map.of(), jvm);
        assertThat(s.get("leadpipe.source.crm2.url")).isEqualTo("https://crm2.example/v1");
        assertThat(s.get("leadpipe.source.crm2.page-size")).isEqualTo("40");
    }

    @Test
    void aVariableOfAnUndeclaredSourceSetsNothing() {
        Settings s = load(map("LEADPIPE_SOURCE_CRM3_URL", "https://crm3.example/v1"), Map.of());
        assertThat(s.asProperties().stringPropertyNames()).noneMatch(k -> k.contains("crm3"));
    }

    @Test
    void dashOptionWinsOverTheEnvironment() {
        Settings s = load(map("LEADPIPE_RETRY_MAX_RETRIES", "7", "LEADPIPE_DB_URL", "jdbc:h2:mem:x"), map("leadpipe.retry.max-retries", "3"));
        assertThat(s.get("leadpipe.retry.max-retries")).isEqualTo("3");
        assertThat(s.get("leadpipe.db.url")).isEqualTo("jdbc:h2:mem:x");
    }

    @Test
    void aVariableTwoKeysShareIsRefusedNamingBoth() {
        assertThatThrownBy(() -> load(map("LEADPIPE_SOURCES", "crm-2,crm_2", "LEADPIPE_SOURCE_CRM_2_URL", "https://x.example"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("environment variable LEADPIPE_SOURCE_CRM_2_URL is ambiguous: it could set leadpipe.source.crm-2.url or "
                        + "leadpipe.source.crm_2.url; set the one you mean with -Dkey=value or in a --config file");
        // the same two sources are fine as long as no variable needs telling apart
        assertThat(load(map("LEADPIPE_SOURCES", "crm-2,crm_2"), Map.of()).get("leadpipe.sources")).isEqualTo("crm-2,crm_2");
    }

    @Test
    void aMistypedKeyStopsNamingTheClosestKnownKey() {
        assertThatThrownBy(() -> load(Map.of(), map("leadpipe.source.leads-api.pag-size", "50")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("unknown setting leadpipe.source.leads-api.pag-size; did you mean leadpipe.source.leads-api.page-size? (from -Dleadpipe.source.leads-api.pag-size)");
        assertThatThrownBy(() -> load(Map.of(), map("leadpipe.retry.max-retry", "2")))
                .hasMessageStartingWith("unknown setting leadpipe.retry.max-retry; did you mean leadpipe.retry.max-retries?");
        assertThatThrownBy(() -> load(Map.of(), map("leadpipe.db.urls", "jdbc:h2:mem:x")))
                .hasMessageStartingWith("unknown setting leadpipe.db.urls; did you mean leadpipe.db.url?");
    }

    @Test
    void aKeyOfAnUndeclaredSourceSaysToDeclareIt() {
        assertThatThrownBy(() -> load(Map.of(), map("leadpipe.source.crm3.url", "https://crm3.example")))
                .hasMessage("unknown setting leadpipe.source.crm3.url: there is no source 'crm3' in leadpipe.sources (leads-api); add it there (from -Dleadpipe.source.crm3.url)");
    }

    @Test
    void aMistypedKeyInAConfigFileNamesTheFile(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("mine.properties");
        Files.writeString(config, "leadpipe.jobs.concurency = 2\n");
        assertThatThrownBy(() -> Settings.load(APP, config, Map.of(), Map.of(), new Properties()))
                .hasMessage("unknown setting leadpipe.jobs.concurency; did you mean leadpipe.jobs.concurrency? (from " + config + ")");
    }

    @Test
    void aPerSourceSettingApplicationPropertiesListsIsKnownForEverySource(@TempDir Path dir) throws IOException {
        Path app = dir.resolve("application.properties");
        Files.writeString(app, "leadpipe.sources = a\nleadpipe.source.a.url = http://x\nleadpipe.source.a.brand-new-knob = 1\n");
        Settings s = Settings.load(app, null, Map.of(), map("LEADPIPE_SOURCES", "a,b", "LEADPIPE_SOURCE_B_BRAND_NEW_KNOB", "2"), new Properties());
        assertThat(s.get("leadpipe.source.b.brand-new-knob")).isEqualTo("2");
    }

    /** A user's application.properties from before these keys existed, or trimmed to what they change. */
    private static Path trimmedApplicationProperties(Path dir) throws IOException {
        Path app = dir.resolve("application.properties");
        Files.writeString(app, "leadpipe.sources = leads-api\nleadpipe.source.leads-api.url = http://127.0.0.1:1/v1/leads\n");
        return app;
    }

    @Test
    void aKeyTheUsersFileLacksHasTheDefaultApplicationPropertiesDocuments(@TempDir Path dir) throws IOException {
        Settings s = Settings.load(trimmedApplicationProperties(dir), null, Map.of(), Map.of(), new Properties());
        // the Java copy of this default was "" while application.properties said sa: an H2 file created as sa refused the empty user
        assertThat(s.get("leadpipe.db.user")).as("leadpipe.db.user").isEqualTo("sa");
        assertThat(s.get("leadpipe.jobs.concurrency")).isEqualTo("4");
        // and Camel reads the same: Java and the management server agree on the host and port checked free
        assertThat(s.asProperties()).containsEntry("camel.management.host", "127.0.0.1").containsEntry("camel.main.routes-include-pattern", "file:routes/*.yaml");
    }

    @Test
    void aKeyTheUsersFileLacksCanStillBeSetAndAProfileStillWinsOverItsDefault(@TempDir Path dir) throws IOException {
        Path app = trimmedApplicationProperties(dir);
        Files.createDirectories(dir.resolve(SinkProfiles.DIRECTORY));
        Files.copy(Path.of(SinkProfiles.DIRECTORY, "salesforce.properties"), dir.resolve(SinkProfiles.DIRECTORY).resolve("salesforce.properties"));
        Settings s = Settings.load(app, null, map("leadpipe.jobs.concurrency", "8"),
                map("LEADPIPE_SINK_BATCH_SIZE", "50", "LEADPIPE_SINK_CRM_PROFILE", "salesforce"), new Properties());
        assertThat(s.get("leadpipe.jobs.concurrency")).isEqualTo("8");
        assertThat(s.get("leadpipe.sink.batch-size")).as("set by an environment variable though no file of the user's names it").isEqualTo("50");
        assertThat(s.get("leadpipe.sink.crm.dialect")).as("the profile's, over leadpipe's default hubspot").isEqualTo("salesforce");
    }

    @Test
    void camelKeysAndOtherKeysAreNotCheckedHere() {
        Settings s = load(Map.of(), map("camel.main.whatever", "x", "foo", "y"));
        assertThat(s.get("camel.main.whatever")).isEqualTo("x");
    }

    @Test
    void applicationPropertiesSetsOnlyDeclaredSourceSettingsAndNoDefaultTwice() throws IOException {
        Properties app = new Properties();
        try (var r = Files.newBufferedReader(APP)) {
            app.load(r);
        }
        for (String key : app.stringPropertyNames()) {
            if (!key.startsWith("leadpipe.source.leads-api.")) continue;
            String setting = key.substring("leadpipe.source.leads-api.".length());
            assertThat(KnownSettings.SOURCE_SETTINGS).as("%s is declared in SourceKeys", key).contains(setting);
            String value = app.getProperty(key).trim();
            if (!value.isEmpty()) {
                assertThat(value).as("%s repeats its default from SourceKeys: a default is written once", key)
                        .isNotEqualTo(SourceKeys.key(setting).defaultValue());
            }
        }
    }

    @Test
    void distanceCountsEdits() {
        assertThat(KnownSettings.distance("page-size", "page-size")).isZero();
        assertThat(KnownSettings.distance("pag-size", "page-size")).isEqualTo(1);
        assertThat(KnownSettings.distance("kitten", "sitting")).isEqualTo(3);
    }
}
