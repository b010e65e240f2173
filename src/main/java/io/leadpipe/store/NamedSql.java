package io.leadpipe.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterUtils;
import org.springframework.jdbc.core.namedparam.ParsedSql;

import java.util.Map;

/**
 * A statement written with named parameters ({@code :job}), turned into JDBC's {@code ?} once: each
 * statement is one constant, bound by name, so no list of values has to be kept in step with it
 * (and no per-page name lookup costs CPU, as camel-sql's named parameters did). Parsing is Spring's
 * (spring-jdbc comes with camel-sql): it knows quoted text, comments and PostgreSQL's {@code ::} casts.
 */
public final class NamedSql {

    private final String name;
    private final ParsedSql parsed;
    private final String jdbc;

    private NamedSql(String name, ParsedSql parsed) {
        this.name = name;
        this.parsed = parsed;
        this.jdbc = NamedParameterUtils.substituteNamedParameters(parsed, null);
    }

    public static NamedSql of(String name, String sql) {
        return new NamedSql(name, NamedParameterUtils.parseSqlStatement(sql));
    }

    /** A prepared statement with every parameter bound from {@code values} (a missing name is a bug here, not in the data). */
    public PreparedStatement prepare(Connection c, Map<String, ?> values) throws SQLException {
        Object[] bound;
        try {
            bound = NamedParameterUtils.buildValueArray(parsed, new MapSqlParameterSource(values), null);
        } catch (org.springframework.dao.InvalidDataAccessApiUsageException missing) {
            throw new IllegalArgumentException("statement " + name + ": " + missing.getMessage(), missing);
        }
        PreparedStatement ps = c.prepareStatement(jdbc);
        try {
            for (int i = 0; i < bound.length; i++) ps.setObject(i + 1, bound[i]);
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    /** A prepared statement to fill with {@link #addBatch}. */
    public PreparedStatement prepareBatch(Connection c) throws SQLException {
        return c.prepareStatement(jdbc);
    }

    /** Binds one row of a batch by name and adds it. */
    public void addBatch(PreparedStatement ps, Map<String, ?> values) throws SQLException {
        Object[] bound = NamedParameterUtils.buildValueArray(parsed, new MapSqlParameterSource(values), null);
        for (int i = 0; i < bound.length; i++) ps.setObject(i + 1, bound[i]);
        ps.addBatch();
    }

    public int update(Connection c, Map<String, ?> values) throws SQLException {
        try (PreparedStatement ps = prepare(c, values)) {
            return ps.executeUpdate();
        }
    }

    /** {@code values("job", id, "page", 3)}: a name → value map that, unlike Map.of, takes nulls (SQL NULL). */
    public static Map<String, Object> values(Object... namesAndValues) {
        Map<String, Object> m = new java.util.HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) m.put((String) namesAndValues[i], namesAndValues[i + 1]);
        return m;
    }

    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name + ": " + jdbc;
    }
}
