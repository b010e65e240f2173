package io.leadpipe.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

/** Whether the store is PostgreSQL (else H2), read from the first connection a class is handed and kept: SQL that differs by database asks it. */
final class DatabaseKind {

    private volatile Boolean postgres;

    boolean postgres(Connection c) throws SQLException {
        Boolean pg = postgres;
        if (pg == null) postgres = pg = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres");
        return pg;
    }
}
