package io.leadpipe.schedule;

import org.quartz.utils.ConnectionProvider;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/** Hands Quartz's JDBC job store leadpipe's own connection pool (Quartz instantiates this class by name). */
public final class SharedConnectionProvider implements ConnectionProvider {

    private static volatile DataSource dataSource;

    static void use(DataSource ds) {
        dataSource = ds;
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (dataSource == null) throw new SQLException("leadpipe's DataSource was not handed to Quartz");
        return dataSource.getConnection();
    }

    @Override
    public void shutdown() {
        // the pool belongs to leadpipe, which closes it
    }

    @Override
    public void initialize() {
        // nothing to set up: the pool exists already
    }
}
