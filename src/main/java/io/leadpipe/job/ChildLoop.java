package io.leadpipe.job;

import io.leadpipe.paging.FetchedPage;
import io.leadpipe.ratelimit.WaitTooLongException;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Variable;

/**
 * routes/children.yaml's handle on a child list ({@code variable.pull}, a {@link ChildPull}) and on the
 * children phase ({@code variable.childRun}). The decisions are ChildPull's and ChildRun's.
 */
public final class ChildLoop {

    public void inspect(@Variable("pull") ChildPull list, @Body FetchedPage page) {
        list.inspect(page);
    }

    public void accept(@Variable("pull") ChildPull list, @Body FetchedPage page) {
        list.accept(page);
    }

    public void skipDuplicate(@Variable("pull") ChildPull list, @Body FetchedPage page) {
        list.skipDuplicate(page);
    }

    /** The child page's fingerprint key, per pull and parent. */
    public String pageKey(@Variable("pull") ChildPull list, @Body FetchedPage page) {
        return list.pageKey(page);
    }

    /**
     * A child list failed after its retries (or at once, on an answer no retry fixes): recorded with the reason,
     * so the other lists stop at their next page boundary and the job fails once, in its own route.
     */
    public void failed(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ChildPull list = exchange.getVariable("pull", ChildPull.class);
        String explained = FailureExplainer.explain(cause, exchange.getVariable("request", String.class), exchange.getVariable("source", String.class));
        list.run().failed(list, cause, explained);
    }

    /**
     * After the children: a failed child list fails the job here, in the job's route. A wait the API asked
     * for past max-wait is thrown as it came (the job stops PAUSED). A failed call (an HTTP answer, an I/O error)
     * is thrown as a new exception carrying the explanation but not the cause: the job route's redelivery would
     * otherwise retry this step as if it had made the call. Anything else (the loop guard, a lost lease, a
     * database error) keeps its cause.
     */
    public void failIfAListFailed(@Variable("childRun") ChildRun run) {
        ChildRun.Failure f = run.failure();
        if (f == null) return;
        if (f.cause() instanceof WaitTooLongException tooLong) throw tooLong;
        String message = "the children of parent " + f.list().parentId() + " failed at their page " + (f.list().pageNo() + 1)
                + " (the pages before it are stored; the next run resumes there): " + f.explained();
        throw new ChildListFailedException(message, aCall(f.cause()) ? null : f.cause());
    }

    private static boolean aCall(Throwable t) {
        if (FailureKinds.isDatabase(t)) return false; // a full disk's IOException is the database's, not a call's
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof java.io.IOException || c instanceof org.apache.camel.http.base.HttpOperationFailedException) return true;
        }
        return false;
    }

    /** A child list failed; its message is the whole explanation (no cause: see {@link #failIfAListFailed}). */
    public static final class ChildListFailedException extends IllegalStateException {
        ChildListFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
