package io.leadpipe.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A statement written with named parameters ({@code :job}), turned into JDBC's {@code ?} once: each
 * statement is one constant, bound by name, so no list of values has to be kept in step with it
 * (and no per-page name lookup costs CPU, as camel-sql's named parameters did).
 */
public final class NamedSql {

    private static final Pattern PARAM = Pattern.compile(":([A-Za-z][A-Za-z0-9]*)");

    private final String name;
    private final String jdbc;
    private final List<String> params;

    private NamedSql(String name, String jdbc, List<String> params) {
        this.name = name;
        this.jdbc = jdbc;
        this.params = params;
    }

    public static NamedSql of(String name, String sql) {
        List<String> params = new ArrayList<>();
        Matcher m = PARAM.matcher(sql);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            params.add(m.group(1));
            m.appendReplacement(b, "?");
        }
        m.appendTail(b);
        return new NamedSql(name, b.toString(), List.copyOf(params));
    }

    /** A prepared statement with every parameter bound from {@code values} (a missing name is a bug here, not in the data). */
    public PreparedStatement prepare(Connection c, Map<String, ?> values) throws SQLException {
        PreparedStatement ps = c.prepareStatement(jdbc);
        try {
            for (int i = 0; i < params.size(); i++) {
                String p = params.get(i);
                if (!values.containsKey(p)) throw new IllegalArgumentException("statement " + name + " needs :" + p);
                ps.setObject(i + 1, values.get(p));
            }
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
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
