package io.leadpipe.testing;

import io.leadpipe.config.Settings;
import io.leadpipe.store.Database;
import io.leadpipe.store.GeneratedPassword;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * An H2 database migrated to the newest schema once per build of the migrations (target/test-schema/&lt;their hash&gt;,
 * shared by every test JVM; once per JVM where target/classes is not there), copied for each workspace before leadpipe
 * first runs on it. Flyway's migrations from V1 took about a sixth of the in-process tests' CPU, once per test; then
 * about 0.9 s of CPU once in each of the suite's fourteen test JVMs. A copy of the file (with its generated password
 * beside it) is what a second start on that database would find.
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
        Path migrations = Path.of("target", "classes", "db", "migration");
        if (!Files.isDirectory(migrations)) {
            Path root = Files.createTempDirectory("leadpipe-schema");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> OncePerBuild.delete(root)));
            directory = migrate(root);
            return directory;
        }
        Path shared = Path.of("target", "test-schema").toAbsolutePath();
        Files.createDirectories(shared);
        // the first JVM migrates, the others wait on the lock and copy what it wrote
        Path root;
        try {
            root = OncePerBuild.get(shared.resolve(hash(migrations)), shared.resolve("lock"), SchemaTemplate::migrate);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the schema template", e);
        }
        if (root == null) throw new IOException("the schema template could not be made under " + shared);
        directory = root.resolve("db");
        return directory;
    }

    /** A database in {@code root}/db migrated to the newest schema: its directory. */
    private static Path migrate(Path root) throws IOException {
        Path db = root.resolve("db");
        Files.createDirectories(root);
        Path config = Files.writeString(root.resolve("template.properties"),
                "leadpipe.db.url=jdbc:h2:file:" + db.resolve(NAME) + ";WRITE_DELAY=0\n");
        Settings s = Settings.load(Path.of("application.properties"), config, Map.of(), Map.of(), new Properties());
        try (Database d = Database.open(s)) {
            d.migrate();
        }
        return db;
    }

    /**
     * The migrations (SQL and Java), the store's classes that run them and pom.xml (H2's and Flyway's versions), names and
     * contents hashed: a change to any of them makes a new template. These are the files Maven puts on the tests'
     * classpath; a build elsewhere (an IDE's) that leaves them stale is cleaned by `mvn clean`.
     */
    private static String hash(Path migrations) throws IOException {
        List<Path> inputs = new ArrayList<>(List.of(Path.of("pom.xml")));
        for (Path dir : List.of(migrations, Path.of("target", "classes", "io", "leadpipe", "store"))) {
            if (!Files.isDirectory(dir)) continue;
            try (var files = Files.list(dir)) {
                files.sorted().forEach(inputs::add);
            }
        }
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            for (Path f : inputs) {
                if (!Files.isRegularFile(f)) continue;
                sha.update(f.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update(Files.readAllBytes(f));
            }
            return java.util.HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
