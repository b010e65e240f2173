package io.leadpipe.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * leadpipe.source.NAME.profile layers profiles/NAME.properties under the user's settings, against the
 * real application.properties and the shipped profiles.
 */
class SourceProfilesTest {

    private static final Path APP = Path.of("application.properties");

    private static Settings load(Path config, Map<String, String> env, Map<String, String> cli) {
        return Settings.load(APP, config, cli, env, new Properties());
    }

    private static Path config(Path dir, String text) throws IOException {
        Path f = dir.resolve("my.properties");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void theProfileSetsWhatTheUserDidNotAndTheUsersOwnSettingsWin(@TempDir Path dir) throws IOException {
        Settings s = load(config(dir, """
                leadpipe.sources = leads-api,gh
                leadpipe.source.gh.profile = github
                leadpipe.source.gh.url = https://api.github.com/orgs/acme/members
                leadpipe.source.gh.page-size = 50
                """), Map.of(), Map.of("leadpipe.source.gh.max-requests-per-second", "3"));

        assertThat(s.get("leadpipe.source.gh.paging")).isEqualTo("link-header");
        assertThat(s.getAllowingEmpty("leadpipe.source.gh.records-pointer", "/data")).as("set empty by the profile: the body").isEmpty();
        assertThat(s.get("leadpipe.source.gh.header.Accept")).isEqualTo("application/vnd.github+json");
        assertThat(s.get("leadpipe.source.gh.rate-limit-rules")).startsWith("status=403,429 header=X-RateLimit-Remaining:0 wait=reset");
        assertThat(s.get("leadpipe.source.gh.page-size")).as("--config wins").isEqualTo("50");
        assertThat(s.get("leadpipe.source.gh.max-requests-per-second")).as("-D wins").isEqualTo("3");
        assertThat(s.origin("leadpipe.source.gh.paging")).startsWith("profile github (");
    }

    @Test
    void theProfileWinsOverApplicationPropertiesButNotOverTheEnvironment(@TempDir Path dir) throws IOException {
        Settings s = load(config(dir, "leadpipe.source.leads-api.profile = stripe\n"),
                Map.of("LEADPIPE_SOURCE_LEADS_API_PAGE_SIZE", "25"), Map.of());
        assertThat(s.get("leadpipe.source.leads-api.paging")).as("application.properties says cursor; the profile keyset").isEqualTo("keyset");
        assertThat(s.get("leadpipe.source.leads-api.auth")).isEqualTo("bearer");
        assertThat(s.get("leadpipe.source.leads-api.page-size")).isEqualTo("25");
        assertThat(s.get("leadpipe.source.leads-api.url")).as("what the profile does not set stays").isEqualTo("http://127.0.0.1:8089/v1/leads");
    }

    @Test
    void aProfileMayBeAFileOfTheUsersOwn(@TempDir Path dir) throws IOException {
        Path mine = dir.resolve("acme-crm.properties");
        Files.writeString(mine, "paging = offset\noffset-param = skip\nheader.X-Acme-Version = 3\n");
        Settings s = load(config(dir, "leadpipe.source.leads-api.profile = " + mine + "\n"), Map.of(), Map.of());
        assertThat(s.get("leadpipe.source.leads-api.offset-param")).isEqualTo("skip");
        assertThat(s.get("leadpipe.source.leads-api.header.X-Acme-Version")).isEqualTo("3");
    }

    @Test
    void anUnknownProfileNameListsTheKnownOnes(@TempDir Path dir) {
        assertThatThrownBy(() -> load(config(dir, "leadpipe.source.leads-api.profile = githbu\n"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("leadpipe.source.leads-api.profile = 'githbu'")
                .hasMessageContaining("activecampaign, apollo, attio, close, copper, dataverse, freshsales, github, hubspot, hubspot-search, intercom, klaviyo, outreach, pipedrive, pipedrive-v2, salesforce, salesloft, stripe, zoho, zoominfo");
    }

    @Test
    void aTypoInsideAProfileIsAnUnknownSettingNamingTheProfile(@TempDir Path dir) throws IOException {
        Path mine = dir.resolve("typo.properties");
        Files.writeString(mine, "pagng = offset\n");
        assertThatThrownBy(() -> load(config(dir, "leadpipe.source.leads-api.profile = " + mine + "\n"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("leadpipe.source.leads-api.pagng").hasMessageContaining("profile " + mine);
    }

    @Test
    void aProfileKeyMustBeRelativeToTheSource(@TempDir Path dir) throws IOException {
        Path mine = dir.resolve("abs.properties");
        Files.writeString(mine, "leadpipe.source.x.paging = offset\n");
        assertThatThrownBy(() -> load(config(dir, "leadpipe.source.leads-api.profile = " + mine + "\n"), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must be relative to the source");
    }

    @Test
    void everyShippedProfileIsReadAsValidSettingsOfASource(@TempDir Path dir) throws IOException {
        // what else a profile cannot know and its user gives besides the URL: the tenant's token endpoint and the scope
        Map<String, String> userGives = Map.of("dataverse", "auth.token-url = https://login.microsoftonline.com/tenant/oauth2/v2.0/token\n"
                + "auth.scope = https://org.crm.dynamics.com/.default\n");
        for (String name : new SourceProfiles(Path.of(SourceProfiles.DIRECTORY)).names()) {
            // what a user of an OAuth2 profile must give: the client id (and the username ZoomInfo's assertion names)
            String profile = Files.readString(Path.of(SourceProfiles.DIRECTORY, name + ".properties"));
            String own = (profile.contains("\nauth = oauth2-") ? "leadpipe.source." + name + ".auth.client-id = my-client\n" : "")
                    + (profile.contains("{user}") ? "leadpipe.source." + name + ".auth.user = me@example.com\n" : "")
                    + userGives.getOrDefault(name, "").replaceAll("(?m)^(?=.)", "leadpipe.source." + name + ".");
            Settings s = load(config(dir, "leadpipe.sources = " + name + "\nleadpipe.source." + name + ".profile = " + name
                    + "\nleadpipe.source." + name + ".url = https://api.example.com/v1/x\n" + own), Map.of(), Map.of());
            io.leadpipe.source.SourceSpec.read(s, name, Map.of()); // paging, auth form, quota signals, rules, headers: all checked
        }
    }
}
