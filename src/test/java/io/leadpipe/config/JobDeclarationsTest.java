package io.leadpipe.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The declarations of the route files, read without starting anything (parses are kept by text: an edit must still show). */
class JobDeclarationsTest {

    @TempDir
    Path dir;

    @Test
    void anEditedRouteFileIsReadAgain() throws Exception {
        Path jobs = dir.resolve("jobs.yaml");
        Files.writeString(jobs, job("job-a", "a"));
        assertThat(JobDeclarations.read(settings()).jobs()).containsOnlyKeys("a");

        Files.writeString(jobs, job("job-a", "a") + job("job-b", "b"));
        assertThat(JobDeclarations.read(settings()).jobs()).as("the second read sees the edit").containsOnlyKeys("a", "b");
    }

    @Test
    void twoFilesOfTheSameTextAreEachNamedWhenTheirRouteIdsClash() throws Exception {
        Files.writeString(dir.resolve("one.yaml"), job("job-a", "a"));
        Files.writeString(dir.resolve("two.yaml"), job("job-a", "a"));
        assertThatThrownBy(() -> JobDeclarations.read(settings()))
                .hasMessage("two routes have the id 'job-a' (" + dir.resolve("one.yaml") + " and " + dir.resolve("two.yaml")
                        + "); Camel would keep only one: give each its own routeId");
    }

    private Settings settings() {
        return Settings.load(Path.of("application.properties"), null,
                Map.of("camel.main.routes-include-pattern", "file:routes/extract.yaml,file:" + dir + "/*.yaml"), Map.of(), new Properties());
    }

    private static String job(String routeId, String jobId) {
        return "- templatedRoute:\n    routeTemplateRef: extract\n    routeId: " + routeId + "\n    parameters:\n"
                + "      - { name: jobId, value: \"" + jobId + "\" }\n";
    }
}
