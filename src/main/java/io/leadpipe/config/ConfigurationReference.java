package io.leadpipe.config;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * docs/reference/configuration.md, generated from where the settings are declared: application.properties
 * (every process-wide key, its default and the comment above it) and {@link SourceKeys} (every per-source
 * key). A test fails when the committed file is stale; after {@code mvn -B -q -o compile}, regenerate it with
 * {@code java -cp target/classes io.leadpipe.config.ConfigurationReference > docs/reference/configuration.md}.
 */
public final class ConfigurationReference {

    public static final Path FILE = Path.of("docs/reference/configuration.md");
    public static final String REGENERATE = "java -cp target/classes io.leadpipe.config.ConfigurationReference > " + FILE;

    private ConfigurationReference() {
    }

    public static void main(String[] args) throws IOException {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.print(generate(Path.of("application.properties")));
    }

    /** The whole page, from this application.properties and the declared source settings. */
    public static String generate(Path applicationProperties) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Configuration reference\n\n")
                .append("<!-- generated from application.properties and io.leadpipe.config.SourceKeys: do not edit; regenerate with\n     ")
                .append(REGENERATE).append(" -->\n\n")
                .append("Every key can be set in `application.properties`, in a file given with `--config FILE`, by an environment variable\n")
                .append("named like the key (`leadpipe.db.url` → `LEADPIPE_DB_URL`) or by `-Dkey=value`; later layers win. A `leadpipe.*` key\n")
                .append("leadpipe does not know stops it with the closest known key (exit 2). The jar carries `application.properties` as\n")
                .append("leadpipe's built-in defaults: a `leadpipe.*` key your own file lacks (and the `camel.*` keys leadpipe reads itself:\n")
                .append("routes, management, HTTP timeouts) keeps the default below; other `camel.*` keys fall back to Camel's own.\n\n");
        md.append("## Per source: `leadpipe.source.<name>.<setting>`\n\n")
                .append("For each source named in `leadpipe.sources`. A profile (`profile = github`, `profiles/*.properties`) sets many of them\n")
                .append("for a known vendor; your own settings win over the profile. The delivery APIs read the `auth*` settings as\n")
                .append("`leadpipe.sink.crm.*` and `leadpipe.sink.enrichment.*`, and their quota header names as `leadpipe.source.crm|enrichment.headers.*`.\n\n")
                .append("| setting | default | |\n|---|---|---|\n");
        for (SourceKeys.Key k : SourceKeys.all()) {
            boolean unbounded = k.numeric() && (k.max() == Long.MAX_VALUE || k.max() == Integer.MAX_VALUE);
            String bounds = !k.numeric() ? "" : unbounded ? " (at least " + k.min() + ")" : " (" + k.min() + " to " + k.max() + ")";
            md.append("| `").append(k.name()).append("` | ").append(code(k.defaultValue())).append(" | ").append(cell(k.doc())).append(bounds).append(" |\n");
        }
        md.append("| `").append(SourceKeys.HEADER).append("<Header-Name>` | | a static request header sent with every request, inside the HTTP client (e.g. `header.Accept = application/vnd.github+json`) |\n");
        md.append("| `").append(SourceKeys.SECRET_HEADER).append("<Header-Name>` | | a secret header: `env:VARIABLE` or `file:PATH`, never the value itself; never logged, scrubbed by value |\n\n");
        appendFile(md, applicationProperties);
        return md.toString();
    }

    /** Process-wide keys, section by section, each with the comment lines above it. */
    private static void appendFile(StringBuilder md, Path file) throws IOException {
        List<String> comment = new ArrayList<>();
        boolean inTable = false;
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (line.startsWith("# ----")) {
                md.append(inTable ? "\n" : "").append("## ").append(line.substring(6).strip()).append("\n\n| key | default | |\n|---|---|---|\n");
                inTable = true;
                comment.clear();
            } else if (line.startsWith("#")) {
                comment.add(line.substring(1).strip());
            } else if (line.isEmpty()) {
                comment.clear();
            } else if (inTable) {
                int eq = line.indexOf('=');
                String key = line.substring(0, eq).strip();
                String value = line.substring(eq + 1).strip();
                if (!key.startsWith(KnownSettings.SOURCE_PREFIX)) {
                    md.append("| `").append(key).append("` | ").append(code(value)).append(" | ").append(cell(String.join(" ", comment))).append(" |\n");
                }
                comment.clear();
            }
        }
        md.append("\n");
    }

    private static String code(String value) {
        return value == null || value.isEmpty() ? "" : "`" + value.replace("|", "\\|") + "`";
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }
}
