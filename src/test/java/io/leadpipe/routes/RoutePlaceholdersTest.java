package io.leadpipe.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Every property a route reads is defined in application.properties (or carries its own default). */
class RoutePlaceholdersTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** {{key}}, {{key:default}}, {{?key}} and the simple language's ${properties:key[:default]}. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(\\??)([^}:]+)(:[^}]*)?}}|\\$\\{properties:([^}:]+)(:[^}]*)?}");
    /** Property functions ({{env:X}}, {{sys:X}}, …) are resolved elsewhere, not from a settings file. */
    private static final Set<String> FUNCTIONS = Set.of("env", "sys", "service", "service.host", "service.port", "boolean", "ref", "bean");

    /** Placeholders with no default that neither the settings nor the enclosing template's parameters define. */
    static List<String> undefined(String file, JsonNode routes, Properties settings) {
        List<String> problems = new ArrayList<>();
        if (routes.isObject() && "Kamelet".equals(routes.path("kind").asText())) {
            // a Kamelet's {{placeholders}} are its own declared properties
            Set<String> properties = new HashSet<>();
            routes.path("spec").path("definition").path("properties").fieldNames().forEachRemaining(properties::add);
            scan(routes.path("spec").path("template"), properties, settings, file, problems);
            return problems;
        }
        for (JsonNode item : routes) {
            Set<String> parameters = new HashSet<>();
            for (JsonNode p : item.path("routeTemplate").path("parameters")) parameters.add(p.path("name").asText());
            scan(item, parameters, settings, file, problems);
        }
        return problems;
    }

    private static void scan(JsonNode node, Set<String> parameters, Properties settings, String file, List<String> problems) {
        if (node.isContainerNode()) {
            node.forEach(child -> scan(child, parameters, settings, file, problems));
            return;
        }
        if (!node.isTextual()) return;
        Matcher m = PLACEHOLDER.matcher(node.asText());
        while (m.find()) {
            boolean simple = m.group(4) != null;
            String key = (simple ? m.group(4) : m.group(2)).trim();
            boolean hasDefault = (simple ? m.group(5) : m.group(3)) != null;
            boolean optional = !simple && !m.group(1).isEmpty();
            if (FUNCTIONS.contains(key)) continue;
            if (hasDefault || optional || parameters.contains(key) || settings.containsKey(key)) continue;
            problems.add(file + ": " + m.group() + " is defined in no settings file and has no :default");
        }
    }

    @Test
    void everyPropertyARouteUsesIsDefinedInTheSettings() throws IOException {
        Properties settings = RoutesSchemaTest.applicationProperties();
        List<String> problems = new ArrayList<>();
        for (Path f : RoutesSchemaTest.routeFiles()) problems.addAll(undefined(f.toString(), YAML.readTree(f.toFile()), settings));
        assertThat(problems).isEmpty();
    }

    @Test
    void anUndefinedPropertyIsReported() throws IOException {
        JsonNode routes = YAML.readTree("""
                - routeTemplate:
                    id: t
                    parameters: [ { name: jobId } ]
                    route:
                      from:
                        uri: "direct:{{jobId}}"
                        steps:
                          - setVariable: { name: a, constant: "{{leadpipe.retry.max-retries}}" }
                          - setVariable: { name: b, constant: "{{leadpipe.no-such-key}}" }
                          - setVariable: { name: c, constant: "{{leadpipe.other:5}}" }
                          - setVariable: { name: d, simple: "${properties:leadpipe.missing-too}" }
                          - setVariable: { name: e, simple: "${properties:leadpipe.with-default:x}" }
                          - setVariable: { name: f, constant: "{{env:HOME}}" }
                """);
        assertThat(undefined("t.yaml", routes, RoutesSchemaTest.applicationProperties())).containsExactly(
                "t.yaml: {{leadpipe.no-such-key}} is defined in no settings file and has no :default",
                "t.yaml: ${properties:leadpipe.missing-too} is defined in no settings file and has no :default");
    }
}
