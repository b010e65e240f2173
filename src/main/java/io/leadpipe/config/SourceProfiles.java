package io.leadpipe.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Ready settings for a vendor's API: {@code leadpipe.source.<name>.profile = github} layers
 * {@code profiles/github.properties} (keys relative to the source: {@code paging=link-header}) under the
 * source's settings. The profile wins over application.properties (leadpipe's shipped defaults); every
 * layer a user gives (--config, environment, -D) wins over the profile. The value may also be the path of
 * a properties file of the user's own, in the same form (a copied and edited profile).
 */
public final class SourceProfiles {

    public static final String DIRECTORY = "profiles";
    static final String SETTING = "profile";

    private final Path directory;

    public SourceProfiles(Path directory) {
        this.directory = directory;
    }

    /** The profiles shipped in the directory, by name (the file name without .properties), sorted. */
    public List<String> names() {
        if (!Files.isDirectory(directory)) return List.of();
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".properties"))
                    .map(n -> n.substring(0, n.length() - ".properties".length())).sorted().toList();
        } catch (IOException e) {
            throw new ConfigException("cannot list the profiles in " + directory + ": " + e.getMessage());
        }
    }

    /** The file a profile value names: a shipped profile's name, or a path to a .properties file. */
    Path file(String key, String value) {
        boolean isPath = value.endsWith(".properties") || value.contains("/") || value.contains("\\");
        Path f = isPath ? Path.of(value) : directory.resolve(value + ".properties");
        if (isPath ? !Files.isRegularFile(f) : !names().contains(value)) {
            throw new ConfigException("invalid setting " + key + " = '" + value + "': " + (isPath ? "no such file " + f
                    : "no profile of that name") + "; the known profiles are " + String.join(", ", names())
                    + " (in " + directory + "), or give the path of a properties file of your own");
        }
        return f;
    }

    /**
     * Layers each declared source's profile: a key no layer set, or only application.properties or leadpipe's
     * defaults, takes the profile's value.
     */
    static void apply(Settings s, SourceProfiles profiles) {
        for (String source : KnownSettings.sourceNames(s.get("leadpipe.sources"))) {
            String key = KnownSettings.SOURCE_PREFIX + source + "." + SETTING;
            String value = s.get(key);
            if (value == null) continue;
            Path f = profiles.file(key, value);
            String origin = "profile " + value + " (" + f + ")";
            Properties p = read(f);
            for (String relative : p.stringPropertyNames()) {
                if (relative.startsWith("leadpipe.") || relative.equals(SETTING)) {
                    throw new ConfigException(f + ": key '" + relative + "' must be relative to the source (e.g. paging, records-pointer, header.Accept)");
                }
                String full = KnownSettings.SOURCE_PREFIX + source + "." + relative;
                if (s.fromDefaults(full)) s.setFrom(full, p.getProperty(relative), origin);
            }
        }
    }

    static Properties read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("cannot read profile " + file + ": " + e.getMessage());
        }
        return p;
    }
}
