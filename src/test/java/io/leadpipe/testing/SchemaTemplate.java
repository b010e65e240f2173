package io.leadpipe.testing;

import io.leadpipe.config.Settings;
import io.leadpipe.store.Database;
import io.leadpipe.store.GeneratedPassword;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;

/**
 * An H2 database migrated to the newest schema once per test JVM, copied for each workspace before leadpipe first runs
 * on it. Flyway's migrations from V1 took about a sixth of the in-process tests' CPU, once per test; a copy of the
 * file (with its generated password beside it) is what a second start on that database would find.
 */
final class SchemaTemplate {

    private static final String NAME = "leadpipe";
    private static Path directory;

    private SchemaTemplate() {
    }

    /** Copies the migrated database and its password file into {@code db} (which must not exist yet). */
    static void copyInto(Path db) throws IOException {
        Path from = directory();
        Files.createDirectories(db);
        Files.copy(from.resolve(NAME + ".mv.db"), db.resolve(NAME + ".mv.db"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(GeneratedPassword.fileFor(from), GeneratedPassword.fileFor(db), StandardCopyOption.COPY_ATTRIBUTES);
    }

    private static synchronized Path directory() throws IOException {
        if (directory != null) return directory;
        Path root = Files.createTempDirectory("leadpipe-schema");
        Path db = root.resolve("db");
        Path config = Files.writeString(root.resolve("template.properties"),
                "leadpipe.db.url=jdbc:h2:file:" + db.resolve(NAME) + ";WRITE_DELAY=0\n");
        Settings s = Settings.load(Path.of("application.properties"), config, Map.of(), Map.of(), new Properties());
        try (Database d = Database.open(s)) {
            d.migrate();
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(root)));
        directory = db;
        return directory;
    }

    private static void delete(Path root) {
        try (var files = Files.walk(root)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
