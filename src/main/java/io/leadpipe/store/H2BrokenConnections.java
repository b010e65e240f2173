package io.leadpipe.store;

import com.zaxxer.hikari.SQLExceptionOverride;
import org.h2.api.ErrorCode;

import java.sql.SQLException;

/**
 * Tells HikariCP which H2 errors mean the connection is gone: H2 reports them with its own SQL states (90067 connection
 * broken, 90007 closed, 90098/90121 database closed), not the 08xxx class HikariCP evicts on, so a pooled connection to
 * an H2 server that went away was handed out again and again after the server came back (a request on a shared quota
 * window then never got its permit: SharedWindowTest). Every SQLException of a pooled connection passes here, so this
 * is also where the pool learns that H2 closed the file under it (a failed write: a full disk) and tells the
 * {@link H2FileGuard}, whichever caller met it first — a page, a count, a timer's round.
 */
public final class H2BrokenConnections implements SQLExceptionOverride {

    private final Runnable fileClosed;

    H2BrokenConnections(Runnable fileClosed) {
        this.fileClosed = fileClosed;
    }

    @java.lang.Override
    public SQLExceptionOverride.Override adjudicate(SQLException e) {
        if (io.leadpipe.job.FailureKinds.databaseClosed(e)) {
            fileClosed.run();
            return SQLExceptionOverride.Override.MUST_EVICT;
        }
        return switch (e.getErrorCode()) {
            case ErrorCode.CONNECTION_BROKEN_1, ErrorCode.OBJECT_CLOSED, ErrorCode.DATABASE_IS_CLOSED,
                 ErrorCode.DATABASE_CALLED_AT_SHUTDOWN -> SQLExceptionOverride.Override.MUST_EVICT;
            default -> SQLExceptionOverride.Override.CONTINUE_EVICT;
        };
    }
}
