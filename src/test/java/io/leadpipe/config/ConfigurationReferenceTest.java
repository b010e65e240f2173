package io.leadpipe.config;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/reference/configuration.md is generated: the committed page says what the declarations say. */
class ConfigurationReferenceTest {

    @Test
    void theCommittedReferenceIsTheGeneratedOne() throws Exception {
        String generated = ConfigurationReference.generate(Path.of("application.properties"));
        assertThat(Files.isRegularFile(ConfigurationReference.FILE)).as(ConfigurationReference.FILE + " exists; generate it: " + ConfigurationReference.REGENERATE).isTrue();
        assertThat(Files.readString(ConfigurationReference.FILE, StandardCharsets.UTF_8))
                .as(ConfigurationReference.FILE + " is stale: regenerate it with `mvn -B -q -o compile && " + ConfigurationReference.REGENERATE + "`")
                .isEqualTo(generated);
    }

    @Test
    void everySettingIsInTheReferenceWithItsDefault() throws Exception {
        String page = ConfigurationReference.generate(Path.of("application.properties"));
        for (SourceKeys.Key k : SourceKeys.all()) {
            assertThat(page).contains("| `" + k.name() + "` | " + (k.defaultValue().isEmpty() ? "" : "`" + k.defaultValue().replace("|", "\\|") + "`") + " |");
        }
        assertThat(page).contains("| `leadpipe.ratelimit.floor` | `10` |").contains("| `leadpipe.jobs.concurrency` | `4` |")
                .doesNotContain("leadpipe.simulator.").doesNotContain("leadpipe.source.leads-api.");
    }
}
