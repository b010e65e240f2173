package io.leadpipe;

import io.leadpipe.cli.CommandLine;
import io.leadpipe.config.KnownSettings;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The docs a newcomer follows still work: every relative link (and #anchor) leads somewhere, every
 * properties block is settings leadpipe knows, every command block uses verbs the jars know, and the
 * README keeps its two commands. Plain file reading, no server.
 */
class DocsTest {

    static final String DEMO = "mvn -B -q package -DskipTests && java -jar target/leadpipe-simulator.jar demo";
    static final String TESTS = "mvn -B verify";
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6} (.+)$");
    private static final Pattern JAR = Pattern.compile("(?:java -jar (target/leadpipe(?:-simulator)?\\.jar)|^(?:\\$ )?(leadpipe)) ([^#|;&>]*)");

    @Test
    void theReadmeIsShortAndKeepsTheTwoCommands() throws IOException {
        List<String> readme = Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8);
        assertThat(readme.size()).as("README.md lines").isLessThanOrEqualTo(250);
        assertThat(readme).as("README.md's demo command").contains(DEMO);
        assertThat(readme).as("README.md's test command").contains(TESTS);
        assertThat(Files.readAllLines(Path.of(".ci/run"))).as(".ci/run runs the README's test command").contains(TESTS);
    }

    @Test
    void everyRelativeLinkLeadsToAFileAndHeadingThatExist() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path page : pages()) broken.addAll(brokenLinks(page));
        assertThat(broken).as("broken links").isEmpty();
    }

    @Test
    void everyPropertiesBlockParsesAndNamesKnownSettings() throws IOException {
        Properties defaults = new Properties();
        try (var in = Files.newBufferedReader(Path.of("application.properties"), StandardCharsets.UTF_8)) {
            defaults.load(in);
        }
        List<String> problems = new ArrayList<>();
        int blocks = 0;
        for (Path page : pages()) {
            for (Block block : blocks(page)) {
                if (!block.lang.equals("properties")) continue;
                blocks++;
                Properties p = new Properties();
                try {
                    p.load(new StringReader(block.text));
                } catch (IllegalArgumentException e) {
                    problems.add(page + ":" + block.line + ": does not parse as properties: " + e.getMessage());
                    continue;
                }
                // the sources a block speaks of are declared for it: what is checked is each setting's name
                Set<String> sources = new LinkedHashSet<>(KnownSettings.sourceNames(defaults.getProperty("leadpipe.sources")));
                sources.addAll(KnownSettings.sourceNames(p.getProperty("leadpipe.sources")));
                for (String key : p.stringPropertyNames()) {
                    if (key.startsWith(KnownSettings.SOURCE_PREFIX)) {
                        String rest = key.substring(KnownSettings.SOURCE_PREFIX.length());
                        if (rest.contains(".")) sources.add(rest.substring(0, rest.indexOf('.')));
                    }
                }
                KnownSettings known = new KnownSettings(defaults.stringPropertyNames(), List.copyOf(sources));
                for (String key : p.stringPropertyNames()) {
                    if (!known.isKnown(key, List.copyOf(sources))) {
                        problems.add(page + ":" + block.line + ": " + known.explainUnknown(key, List.copyOf(sources)));
                    }
                }
            }
        }
        assertThat(blocks).as("properties blocks found").isGreaterThan(10);
        assertThat(problems).as("properties blocks").isEmpty();
    }

    @Test
    void everyCommandBlockUsesVerbsTheJarsKnow() throws IOException {
        Set<String> leadpipe = verbs("Verbs:", "Options:");
        Set<String> simulator = simulatorVerbs();
        assertThat(leadpipe).contains("run", "probe", "repair");
        assertThat(simulator).containsExactlyInAnyOrder("demo", "serve");
        List<String> problems = new ArrayList<>();
        int commands = 0;
        for (Path page : pages()) {
            for (Block block : blocks(page)) {
                if (!block.lang.equals("sh") && !block.lang.equals("bash")) continue;
                String[] lines = block.text.split("\n");
                for (int i = 0; i < lines.length; i++) {
                    Matcher m = JAR.matcher(lines[i].replaceAll("(^|\\s)#.*$", "").strip());   // a comment is not a command
                    while (m.find()) {
                        commands++;
                        String jar = m.group(1) != null ? m.group(1) : m.group(2);
                        String where = page + ":" + (block.line + 1 + i) + ": ";
                        String verb;
                        try {
                            verb = CommandLine.parse(m.group(3).strip().split("\\s+")).verb;
                        } catch (RuntimeException e) {
                            problems.add(where + e.getMessage());
                            continue;
                        }
                        Set<String> knownVerbs = jar.endsWith("leadpipe-simulator.jar") ? simulator : leadpipe;
                        if (!knownVerbs.contains(verb)) problems.add(where + "'" + verb + "' is no verb of " + jar + " " + knownVerbs);
                    }
                }
            }
        }
        assertThat(commands).as("commands found in sh/bash blocks").isGreaterThan(5);
        assertThat(problems).as("command blocks").isEmpty();
    }

    @Test
    void everyPageCitedByTheCodeExistsWithTheSectionItNames() throws IOException {
        Pattern cite = Pattern.compile("(?<![\\w/.-])(docs/[\\w/.-]+\\.md)(?:, \\\\?\"([^\"\\\\]+)\\\\?\"|, ([A-Z][^)\"\\\\]*)\\))?");
        List<Path> files = new ArrayList<>();
        for (String root : List.of("src/main", "routes", "profiles", "bench", "simulator", "docker")) {
            try (Stream<Path> s = Files.walk(Path.of(root))) {
                s.filter(Files::isRegularFile).filter(f -> f.toString().matches(".*\\.(java|yaml|properties|md|sh)$")).forEach(files::add);
            }
        }
        files.add(Path.of("application.properties"));
        List<String> problems = new ArrayList<>();
        int citations = 0;
        for (Path file : files) {
            Matcher m = cite.matcher(Files.readString(file, StandardCharsets.UTF_8));
            while (m.find()) {
                citations++;
                Path page = Path.of(m.group(1));
                String section = m.group(2) != null ? m.group(2) : m.group(3);
                if (!Files.isRegularFile(page)) problems.add(file + ": " + m.group() + " — no such page");
                else if (section != null && !anchors(page).contains(slug(section))) problems.add(file + ": " + m.group() + " — no such heading");
            }
        }
        assertThat(citations).as("citations of docs/ pages in the code").isGreaterThan(5);
        assertThat(problems).as("citations of docs/ pages").isEmpty();
    }

    /** The verbs leadpipe's --help lists (two spaces in, then the verb), between two headings of its text. */
    private static Set<String> verbs(String from, String to) {
        String help = CommandLine.HELP;
        String section = help.substring(help.indexOf(from), help.indexOf(to));
        Set<String> verbs = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?m)^  ([a-z]+)\\b").matcher(section);
        while (m.find()) verbs.add(m.group(1));
        return verbs;
    }

    private static Set<String> simulatorVerbs() {
        Set<String> verbs = new LinkedHashSet<>();
        Matcher m = Pattern.compile("java -jar target/leadpipe-simulator\\.jar ([a-z]+)").matcher(CommandLine.HELP);
        while (m.find()) verbs.add(m.group(1));
        return verbs;
    }

    static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> docs = Files.walk(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    static List<String> brokenLinks(Path page) throws IOException {
        List<String> broken = new ArrayList<>();
        List<String> lines = Files.readAllLines(page, StandardCharsets.UTF_8);
        boolean fence = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.strip().startsWith("```")) {
                fence = !fence;
                continue;
            }
            if (fence) continue;
            Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", ""));
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("^[a-z]+:.*")) continue;   // http:, https:, mailto:
                String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
                Path resolved = file.isEmpty() ? page : page.toAbsolutePath().getParent().resolve(file).normalize();
                String where = page + ":" + (i + 1) + ": " + target;
                if (!Files.exists(resolved)) broken.add(where + " — no such file");
                else if (anchor != null && !anchors(resolved).contains(anchor)) broken.add(where + " — no heading #" + anchor + " in " + file);
            }
        }
        return broken;
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces to '-', repeats numbered. */
    static Set<String> anchors(Path page) throws IOException {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fence = false;
        for (String line : Files.readAllLines(page, StandardCharsets.UTF_8)) {
            if (line.strip().startsWith("```")) {
                fence = !fence;
                continue;
            }
            Matcher m = HEADING.matcher(line);
            if (fence || !m.matches()) continue;
            String slug = slug(m.group(1));
            int n = seen.merge(slug, 1, Integer::sum) - 1;
            anchors.add(n == 0 ? slug : slug + "-" + n);
        }
        return anchors;
    }

    static String slug(String heading) {
        return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\p{M}_ -]", "").replace(' ', '-');
    }

    record Block(String lang, int line, String text) {}

    /** Fenced blocks (also indented ones, inside list items), with their language and first line. */
    static List<Block> blocks(Path page) throws IOException {
        List<Block> blocks = new ArrayList<>();
        List<String> lines = Files.readAllLines(page, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String open = lines.get(i);
            if (!open.strip().startsWith("```")) continue;
            int indent = open.indexOf("```");
            StringBuilder text = new StringBuilder();
            int j = i + 1;
            for (; j < lines.size() && !lines.get(j).strip().startsWith("```"); j++) {
                String l = lines.get(j);
                text.append(l.length() >= indent && l.substring(0, indent).isBlank() ? l.substring(indent) : l.strip()).append('\n');
            }
            blocks.add(new Block(open.strip().substring(3).strip(), i + 1, text.toString()));
            i = j;
        }
        return blocks;
    }
}
