package io.leadpipe.store;

import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.springframework.jdbc.datasource.DataSourceUtils;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The pages a pull has stored (Camel's JDBC idempotent repository, table CAMEL_MESSAGEPROCESSED), whose
 * {@link #add} is one statement: an insert that writes nothing when the key is there, on the page
 * transaction's connection. Camel's own add looks the key up and then inserts it, each through its own
 * template: two statements per page. Lookups, removals and clears stay Camel's.
 */
public final class PageKeys extends JdbcMessageIdRepository {

    /** H2: the key, unless it is there (a page stored at the same moment by another writer fails on the primary key, as Camel's did). */
    private static final NamedSql H2_ADD = NamedSql.of("add-page-key", "INSERT INTO CAMEL_MESSAGEPROCESSED (processorName, messageId, createdAt) "
            + "SELECT CAST(:processor AS VARCHAR), CAST(:key AS VARCHAR), LOCALTIMESTAMP WHERE NOT EXISTS "
            + "(SELECT 1 FROM CAMEL_MESSAGEPROCESSED WHERE processorName = :processor AND messageId = :key)");
    /** PostgreSQL: the same, which does not race. */
    private static final NamedSql PG_ADD = NamedSql.of("add-page-key", "INSERT INTO CAMEL_MESSAGEPROCESSED (processorName, messageId, createdAt) "
            + "VALUES (:processor, :key, LOCALTIMESTAMP) ON CONFLICT DO NOTHING");

    /** The page transaction's DataSource (Camel's base class keeps its own only inside its templates). */
    private final DataSource pages;
    private final DatabaseKind kind = new DatabaseKind();

    public PageKeys(DataSource dataSource, String processorName) {
        super(dataSource, processorName);
        this.pages = dataSource;
        setCreateTableIfNotExists(false); // the table comes from Flyway (V2)
    }

    /** The statement a page key is added with (the overhead benchmark's raw loop runs this same one). */
    public static NamedSql addStatement(boolean postgres) {
        return postgres ? PG_ADD : H2_ADD;
    }

    /** True when the key is new (now stored), false when a page with this key was stored before. */
    @Override
    public boolean add(String key) {
        Connection c = DataSourceUtils.getConnection(pages);
        try {
            return addStatement(kind.postgres(c)).update(c, NamedSql.values("processor", processorName, "key", key)) == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("storing the page key " + key + ": " + e.getMessage(), e);
        } finally {
            DataSourceUtils.releaseConnection(c, pages);
        }
    }

}
