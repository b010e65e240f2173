package io.leadpipe.paging;

import io.leadpipe.config.ConfigException;
import io.leadpipe.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A POST source's fixed body: a JSON object from a setting or a file; anything else stops at start with one clear message. */
class RequestBodyTest {

    @TempDir
    Path dir;

    private static Settings settings(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put("leadpipe.source.leads-api." + kv[i], kv[i + 1]);
        return Settings.load(Path.of("application.properties"), null, m, Map.of(), new Properties());
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode body(Settings s) {
        return RequestBody.read(io.leadpipe.config.ApiKeys.source(s, "leads-api"), s.get("leadpipe.source.leads-api.method", "GET"));
    }

    @Test
    void noBodyIsAnEmptyObject() {
        assertThat(body(settings("method", "POST")).isEmpty()).isTrue();
    }

    @Test
    void aBodyFromASettingOrAFile() throws Exception {
        assertThat(body(settings("method", "POST", "body", "{\"sorts\":[{\"propertyName\":\"hs_object_id\"}]}"))
                .at("/sorts/0/propertyName").asText()).isEqualTo("hs_object_id");
        Path f = Files.writeString(dir.resolve("body.json"), "{\n  \"filterGroups\": [ { \"filters\": [] } ]\n}\n");
        assertThat(body(settings("method", "POST", "body-file", f.toString())).has("filterGroups")).isTrue();
    }

    @Test
    void whatCannotBeABodyIsRefusedByName() {
        assertThatThrownBy(() -> body(settings("body", "{\"a\":1}"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("leadpipe.source.leads-api.body is set but leadpipe.source.leads-api.method is not POST");
        assertThatThrownBy(() -> body(settings("method", "POST", "body", "[1,2]")))
                .hasMessageContaining("must be a JSON object").hasMessageContaining("array");
        assertThatThrownBy(() -> body(settings("method", "POST", "body", "{\"a\":1}", "body-file", "x.json")))
                .hasMessageContaining("not both");
        assertThatThrownBy(() -> body(settings("method", "POST", "body-file", dir.resolve("missing.json").toString())))
                .hasMessageContaining("cannot read leadpipe.source.leads-api.body-file");
    }
}
