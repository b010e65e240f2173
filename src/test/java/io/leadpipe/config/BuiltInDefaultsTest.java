package io.leadpipe.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A process-wide key's default is written once, in application.properties: the Java code reads every key it names from there. */
class BuiltInDefaultsTest {

    private static final Path APP = Path.of("application.properties");
    private static final Path MAIN = Path.of("src/main/java");

    /** A getter call on Settings: its name, the key expression and what follows it (a comma: more arguments). */
    private static final Pattern READ = Pattern.compile(
            "\\.(get|getText|getAllowingEmpty|getInt|getLong|getDouble|getBoolean|require|writableDirectory)\\(\\s*(\"[^\"]*\"|[A-Z_]+(?: \\+ \"[^\"]*\")?)\\s*([,)])");
    private static final Pattern CONSTANT = Pattern.compile("static final String ([A-Z_]+) = \"([^\"]+)\";");

    /** One read of a process-wide key by name in src/main/java. */
    record Read(String where, String method, String key, int extraArguments) {
        /** A default of its own beside application.properties': get(key, "x"), getInt(key, 4, 1, 256), getBoolean(key, true). */
        boolean writesADefault() {
            return switch (method) {
                case "get", "getAllowingEmpty", "getBoolean", "writableDirectory" -> extraArguments >= 1;
                case "getInt", "getLong", "getDouble" -> extraArguments >= 3;
                default -> false;
            };
        }
    }

    static List<Read> reads() throws IOException {
        List<Read> reads = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java") && !p.endsWith("Settings.java")).toList()) {
                String src = Files.readString(f, StandardCharsets.UTF_8);
                Map<String, String> constants = new java.util.HashMap<>();
                Matcher c = CONSTANT.matcher(src);
                while (c.find()) constants.put(c.group(1), c.group(2));
                Matcher m = READ.matcher(src);
                while (m.find()) {
                    String key = key(m.group(2), constants);
                    if (key == null || !(key.startsWith("leadpipe.") || key.startsWith("camel.")) || key.startsWith(KnownSettings.SOURCE_PREFIX)) continue;
                    int extra = m.group(3).equals(")") ? 0 : 1 + topLevelCommas(src.substring(m.end()));
                    int line = (int) src.substring(0, m.start()).chars().filter(ch -> ch == '\n').count() + 1;
                    reads.add(new Read(MAIN.relativize(f) + ":" + line, m.group(1), key, extra));
                }
            }
        }
        return reads;
    }

    private static String key(String expression, Map<String, String> constants) {
        if (expression.startsWith("\"")) return expression.substring(1, expression.length() - 1);
        String[] parts = expression.split(" \\+ ");
        String base = constants.get(parts[0]);
        if (base == null) return null;
        return parts.length == 1 ? base : base + parts[1].substring(1, parts[1].length() - 1);
    }

    /** Commas between the key and the call's closing parenthesis (over lines too), outside nested calls. */
    private static int topLevelCommas(String rest) {
        int depth = 0;
        int commas = 0;
        for (char ch : rest.toCharArray()) {
            if (ch == '(') depth++;
            else if (ch == ')' && depth-- == 0) break;
            else if (ch == ',' && depth == 0) commas++;
        }
        return commas;
    }

    private static Properties applicationProperties() throws IOException {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(APP, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return p;
    }

    @Test
    void everyKeyTheJavaCodeReadsByNameHasItsDefaultInApplicationPropertiesAndNowhereElse() throws IOException {
        List<Read> reads = reads();
        assertThat(reads).as("the scan finds the reads (else this test proves nothing)").hasSizeGreaterThan(60);
        Set<String> listed = applicationProperties().stringPropertyNames();
        for (Read r : reads) {
            assertThat(listed).as("%s reads %s: application.properties must list it with its default and a comment", r.where(), r.key()).contains(r.key());
            assertThat(r.writesADefault()).as("%s reads %s with a default of its own: application.properties has it (%s(key, min, max) / getText(key))",
                    r.where(), r.key(), r.method()).isFalse();
        }
    }

    @Test
    void theCamelKeysLayeredAsDefaultsAreExactlyThoseTheJavaCodeReads() throws IOException {
        Set<String> read = new TreeSet<>();
        for (Read r : reads()) if (r.key().startsWith("camel.")) read.add(r.key());
        assertThat(read).isEqualTo(new TreeSet<>(BuiltInDefaults.CAMEL_KEYS_READ));
    }

    @Test
    void theJarCarriesTheApplicationPropertiesOfThisCheckout() throws IOException {
        try (InputStream in = BuiltInDefaults.class.getResourceAsStream(BuiltInDefaults.RESOURCE)) {
            assertThat(in).as(BuiltInDefaults.RESOURCE + " packaged by Maven (pom.xml, build/resources)").isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(Files.readString(APP, StandardCharsets.UTF_8));
        }
    }

    @Test
    void aKeyWithNoDefaultAnywhereIsOneErrorNamingIt() {
        Settings s = Settings.load(APP, null, Map.of(), Map.of(), new Properties());
        assertThatThrownBy(() -> s.getInt("leadpipe.jobs.no-such-knob", 1, 10)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("setting leadpipe.jobs.no-such-knob has no default: leadpipe reads it, so application.properties must list it");
        assertThatThrownBy(() -> s.getText("leadpipe.source.leads-api.url-typo")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("leadpipe.source.leads-api.url-typo");
    }

    @Test
    void aKeySetEmptyFallsBackToItsDefaultAsBefore() {
        Settings s = Settings.load(APP, null, Map.of("leadpipe.ratelimit.max-wait", "", "leadpipe.jobs.concurrency", ""), Map.of(), new Properties());
        assertThat(s.getText("leadpipe.ratelimit.max-wait")).isEqualTo("15m");
        assertThat(s.getInt("leadpipe.jobs.concurrency", 1, 256)).isEqualTo(4);
    }
}
