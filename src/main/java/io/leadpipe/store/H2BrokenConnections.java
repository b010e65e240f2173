package io.leadpipe.store;

import com.zaxxer.hikari.SQLExceptionOverride;
import org.h2.api.ErrorCode;

import java.sql.SQLException;

/**
 * Tells HikariCP which H2 errors mean the connection is gone: H2 reports them with its own SQL states (90067 connection
 * broken, 90007 closed, 90098/90121 database closed), not the 08xxx class HikariCP evicts on, so a pooled connection to
 * an H2 server that went away was handed out again and again after the server came back (a request on a shared quota
 * window then never got its permit: SharedWindowTest).
 */
public final class H2BrokenConnections implements SQLExceptionOverride {

    @java.lang.Override
    public SQLExceptionOverride.Override adjudicate(SQLException e) {
        return switch (e.getErrorCode()) {
            case ErrorCode.CONNECTION_BROKEN_1, ErrorCode.OBJECT_CLOSED, ErrorCode.DATABASE_IS_CLOSED,
                 ErrorCode.DATABASE_CALLED_AT_SHUTDOWN -> SQLExceptionOverride.Override.MUST_EVICT;
            default -> SQLExceptionOverride.Override.CONTINUE_EVICT;
        };
    }
}
