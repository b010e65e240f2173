package io.leadpipe.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Properties;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every route file in routes/ validates against the YAML DSL's JSON schema (the one inside camel-yaml-dsl
 * that Camel's editors and tools use), so the routes open there without red marks.
 */
class RoutesSchemaTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static Properties applicationProperties() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of("application.properties"))) {
            p.load(r);
        }
        return p;
    }

    static final Path MAPPINGS = Path.of("routes/mapping");

    /** Every YAML file under routes/ except the CRM mappings (routes/mapping/, leadpipe.sink.mapping), which are data, not routes. */
    static List<Path> routeFiles() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("routes"))) {
            return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .map(Path::normalize).filter(f -> !f.startsWith(MAPPINGS)).sorted().toList();
        }
    }

    private static Schema yamlDslSchema() throws IOException {
        try (InputStream in = org.apache.camel.dsl.yaml.YamlRoutesBuilderLoader.class.getResourceAsStream("/schema/camelYamlDsl.json")) {
            assertThat(in).as("camel-yaml-dsl ships schema/camelYamlDsl.json").isNotNull();
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(in);
        }
    }

    /** A Kamelet file is not a route list: its template is a route, and is validated as one. */
    static JsonNode asRoutes(JsonNode file) {
        if (!file.isObject() || !"Kamelet".equals(file.path("kind").asText())) return file;
        com.fasterxml.jackson.databind.node.ArrayNode routes = YAML.createArrayNode();
        routes.addObject().set("route", file.path("spec").path("template"));
        return routes;
    }

    @Test
    void everyRouteFileValidatesAgainstTheYamlDslSchema() throws IOException {
        Schema schema = yamlDslSchema();
        List<Path> files = routeFiles();
        assertThat(files).as("the route files Camel loads (camel.main.routes-include-pattern = file:routes/*.yaml)")
                .contains(Path.of("routes/extract.yaml"), Path.of("routes/jobs.yaml"), Path.of("routes/errors.yaml"));
        List<String> problems = new ArrayList<>();
        for (Path f : files) {
            // one line per place: a wrong value also fails each alternative of a oneOf, which says nothing more
            Map<String, String> byPlace = new TreeMap<>();
            for (Error e : schema.validate(asRoutes(YAML.readTree(f.toFile())))) {
                byPlace.merge(e.getInstanceLocation().toString(), e.getMessage(), (a, b) -> a.length() <= b.length() ? a : b);
            }
            byPlace.forEach((place, message) -> problems.add(f + " " + place + ": " + message));
        }
        assertThat(problems).as("schema violations").isEmpty();
    }

    @Test
    void theSchemaCatchesAMistake() throws IOException {
        JsonNode wrong = YAML.readTree("- route:\n    from:\n      uri: direct:x\n      steps:\n        - lgo: { message: hi }\n");
        assertThat(yamlDslSchema().validate(wrong)).as("a misspelt step is reported").isNotEmpty();
    }

    @Test
    void theMappingsAreTheOnlyYamlUnderRoutesThatIsNotARoute() throws IOException {
        List<Path> mappings;
        try (Stream<Path> files = Files.walk(MAPPINGS)) {
            mappings = files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).toList();
        }
        try (Stream<Path> files = Files.walk(Path.of("routes"))) {
            long yaml = files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).count();
            assertThat(routeFiles()).hasSize((int) yaml - mappings.size());
        }
        assertThat(Path.of(applicationProperties().getProperty("leadpipe.sink.mapping").trim()).normalize()).as("the default mapping lives with the others").startsWith(MAPPINGS);
        for (Path m : mappings)
            assertThat(YAML.readTree(m.toFile()).isObject()).as(m + ": a mapping is a map, a route file a list").isTrue();
    }
}
