package io.leadpipe.sink;

import io.leadpipe.config.ConfigException;
import io.leadpipe.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A sink profile layered under the user's settings, and the CRM built and checked from them in one place. */
class SinkSpecTest {

    @TempDir
    Path dir;

    private SinkSpec spec(String config) throws IOException {
        return SinkSpec.from(settings(config));
    }

    private Settings settings(String config) throws IOException {
        Path f = Files.writeString(dir.resolve("my.properties"), "leadpipe.sink.enabled = true\n" + config);
        return Settings.load(Path.of("application.properties"), f, Map.of(), Map.of(), new Properties());
    }

    @Test
    void withoutAProfileItIsHubSpotsDialectWithTheShippedMapping() throws IOException {
        SinkSpec s = spec("");
        assertThat(s.dialect().name()).isEqualTo("HubSpot");
        assertThat(s.batchSize()).isEqualTo(100);
        assertThat(s.mapping().idProperty()).isEqualTo("email");
        assertThat(s.quota().isEmpty()).isTrue();
    }

    @Test
    void whatBecomesOfALeadDeletedAtTheSourceIsIgnoreByDefaultOrDeleteAndNothingElse() throws IOException {
        assertThat(spec("").removesDeleted()).isFalse();
        assertThat(spec("leadpipe.sink.crm.on-deleted = Delete\n").removesDeleted()).isTrue();
        assertThatThrownBy(() -> spec("leadpipe.sink.crm.on-deleted = archive\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("leadpipe.sink.crm.on-deleted").hasMessageContaining("ignore, delete");
    }

    @Test
    void aProfileSetsDialectMappingBatchAuthAndQuotaSignalsAndTheUsersOwnSettingsWin() throws IOException {
        Settings s = settings("leadpipe.sink.crm.profile = salesforce\nleadpipe.sink.crm.url = https://acme.my.salesforce.com\n");
        SinkSpec spec = SinkSpec.from(s);
        assertThat(spec.dialect().name()).isEqualTo("Salesforce");
        assertThat(spec.batchSize()).isEqualTo(200);
        assertThat(spec.mapping().idProperty()).isEqualTo("Leadpipe_Email__c");
        assertThat(spec.quota().names()).containsExactly("day");
        assertThat(spec.rateLimitRules().texts()).containsExactly("status=403 body=REQUEST_LIMIT_EXCEEDED wait=24h");
        assertThat(s.get("leadpipe.sink.crm.auth")).isEqualTo("bearer");

        assertThat(spec("leadpipe.sink.crm.profile = salesforce\nleadpipe.sink.crm.url = https://x.my.salesforce.com\nleadpipe.sink.batch-size = 50\n").batchSize())
                .as("the user's batch size wins over the profile's").isEqualTo(50);
        assertThat(spec("leadpipe.sink.crm.profile = hubspot\n").quota().names()).containsExactlyInAnyOrder("window", "day");
        assertThat(spec("leadpipe.sink.crm.profile = pipedrive\nleadpipe.sink.crm.url = https://acme.pipedrive.com\n").headerNames().reset())
                .isEqualTo("x-ratelimit-reset");
    }

    @Test
    void everyShippedProfileBuildsWithAUrlAlone() throws IOException {
        for (String p : List.of("hubspot", "salesforce", "pipedrive", "dataverse", "zoho")) {
            SinkSpec s = spec("leadpipe.sink.crm.profile = " + p + "\nleadpipe.sink.crm.url = https://crm.example.com\n");
            assertThat(s.batchSize()).as(p).isLessThanOrEqualTo(s.dialect().batchLimit());
            assertThat(s.mapping().properties()).as(p).contains(s.mapping().idProperty());
        }
    }

    @Test
    void mistakesAreConfigurationErrorsNamingTheKey() {
        assertThatThrownBy(() -> spec("leadpipe.sink.crm.profile = hubspott\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("leadpipe.sink.crm.profile = 'hubspott'").hasMessageContaining("hubspot, pipedrive, salesforce");
        assertThatThrownBy(() -> spec("leadpipe.sink.crm.dialect = sugar\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("leadpipe.sink.crm.dialect").hasMessageContaining("hubspot, salesforce, pipedrive");
        assertThatThrownBy(() -> spec("leadpipe.sink.crm.dialect = salesforce\nleadpipe.sink.mapping = routes/mapping/salesforce.yaml\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("leadpipe.sink.crm.object");
        assertThatThrownBy(() -> spec("leadpipe.sink.crm.profile = hubspot\nleadpipe.sink.batch-size = 200\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("leadpipe.sink.batch-size");
    }

    @Test
    void aProfileFileWithAKeyThatIsNoDeliverySettingIsRefused() throws IOException {
        Path mine = Files.writeString(dir.resolve("mine.properties"), "crm.dialect = hubspot\ncrm.colour = blue\n");
        assertThatThrownBy(() -> spec("leadpipe.sink.crm.profile = " + mine + "\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("key 'crm.colour' is not a delivery setting");
    }
}
