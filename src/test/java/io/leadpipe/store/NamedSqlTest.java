package io.leadpipe.store;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A batch row bound by name through a function lands in the same columns as one bound from a map, a name used twice included. */
class NamedSqlTest {

    @Test
    void aRowBoundByPositionMatchesTheNames() throws Exception {
        NamedSql insert = NamedSql.of("insert", "INSERT INTO t (a, b, c, d) VALUES (:x, CAST(:y AS INTEGER), :x || '!', :z)");
        try (Connection c = DriverManager.getConnection("jdbc:h2:mem:named-sql", "sa", ""); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (a VARCHAR, b INTEGER, c VARCHAR, d VARCHAR)");
            Map<String, Object> row = Map.of("x", "one", "y", 2, "z", "three");
            try (PreparedStatement ps = insert.prepareBatch(c)) {
                insert.addBatch(ps, row::get);
                insert.addBatch(ps, row);
                ps.executeBatch();
            }
            try (ResultSet rs = st.executeQuery("SELECT a, b, c, d FROM t")) {
                for (int i = 0; i < 2; i++) {
                    assertThat(rs.next()).isTrue();
                    assertThat(new Object[]{rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4)}).containsExactly("one", 2, "one!", "three");
                }
                assertThat(rs.next()).isFalse();
            }
        }
    }
}
