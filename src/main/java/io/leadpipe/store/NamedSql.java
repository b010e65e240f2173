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
    /** The parameters' names in the order of their {@code ?}s (a name used twice is there twice; statements here use names only). */
    private final String[] positions;

    private NamedSql(String name, ParsedSql parsed) {
        this.name = name;
        this.parsed = parsed;
        this.jdbc = NamedParameterUtils.substituteNamedParameters(parsed, null);
        // each ? bound to its own parameter's name: the names in position order
        this.positions = java.util.Arrays.stream(NamedParameterUtils.buildValueArray(parsed, new org.springframework.jdbc.core.namedparam.AbstractSqlParameterSource() {
            @Override
            public boolean hasValue(String paramName) {
                return true;
            }

            @Override
            public Object getValue(String paramName) {
                return paramName;
            }
        }, null)).map(String.class::cast).toArray(String[]::new);
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

    /**
     * Binds one row of a batch from {@code value} (name → value) and adds it: no map per row, for the statements
     * run once per lead.
     */
    public void addBatch(PreparedStatement ps, java.util.function.Function<String, Object> value) throws SQLException {
        for (int i = 0; i < positions.length; i++) ps.setObject(i + 1, value.apply(positions[i]));
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
