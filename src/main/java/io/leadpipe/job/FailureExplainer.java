package io.leadpipe.job;

import io.leadpipe.paging.MalformedPageException;
import io.leadpipe.secrets.Secrets;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/** Turns the exception that stopped a job into one line that says what happened and what to check. */
public final class FailureExplainer {

    /** Sets {@code variable.error} from the caught exception and the request being made. */
    public void explain(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (cause == null) cause = exchange.getException();
        String request = exchange.getVariable("request", String.class);
        String source = exchange.getVariable("source", String.class);
        exchange.setVariable("error", explain(cause, request, source));
    }

    /** Secrets (by value) and e-mail addresses, plain or URL-encoded, out of a text an API or a lead wrote. */
    public static String maskEmails(String text) {
        return Secrets.scrub(text);
    }

    /** One line for an exception that escaped the routes. */
    public static String describe(Throwable cause) {
        return explain(cause, null, null);
    }

    /** One line, scrubbed of secrets and e-mail addresses, whatever the exception or the API's answer held. */
    public static String explain(Throwable cause, String request, String source) {
        return Secrets.scrub(unscrubbed(cause, request, source));
    }

    private static String unscrubbed(Throwable cause, String request, String source) {
        cause = FailureKinds.original(cause); // what failed, not the rollback that failed after it
        String req = request == null ? "the request" : request;
        String urlKey = "leadpipe.source." + source + ".url";
        io.leadpipe.ratelimit.WaitTooLongException tooLong = find(cause, io.leadpipe.ratelimit.WaitTooLongException.class);
        if (tooLong != null) return tooLong.getMessage();
        // the credentials were refused, or the token endpoint stayed unreachable: the message names the setting
        io.leadpipe.http.AuthRefusedException refused = find(cause, io.leadpipe.http.AuthRefusedException.class);
        if (refused != null) return refused.getMessage();
        io.leadpipe.http.TokenEndpointUnavailableException noToken = find(cause, io.leadpipe.http.TokenEndpointUnavailableException.class);
        if (noToken != null) return "no access token for " + req + " after every retry — " + noToken.getMessage() + "; the next run continues from the checkpoint";
        HttpOperationFailedException http = find(cause, HttpOperationFailedException.class);
        if (http != null) {
            int code = http.getStatusCode();
            String advice = switch (code) {
                case 401 -> "the API refused the key: check the credentials of source '" + source + "' (leadpipe.source." + source
                        + ".auth: the API key's environment variable or api-key-file, and how it is sent — api-key-header and api-key-prefix"
                        + " (a token's auth.header and auth.scheme: Bearer, token, Zoho-oauthtoken) or auth.query-param —, or the basic user and password)";
                case 403 -> "the key is not allowed to read this: check its permissions (the token's scope) and the job's filters";
                case 404 -> "no such endpoint: check " + urlKey;
                case 400, 422 -> "the API rejected the request: check the job's filters and page size";
                case 429 -> "still rate limited after every retry: lower the request rate or raise the retry budget";
                default -> code >= 500 ? "the API kept failing after every retry; the next run continues from the checkpoint" : "unexpected answer";
            };
            // an API's error text may quote a lead or echo the key: its code and message, scrubbed whole before they are cut short
            String challenge = http.getResponseHeaders() == null ? null : http.getResponseHeaders().get("WWW-Authenticate");
            String said = io.leadpipe.http.ProviderWords.of(http.getResponseBody(), challenge);
            return "HTTP " + code + " for " + req + " — " + advice + (said == null ? "" : " (API said: " + said + ")");
        }
        if (find(cause, ConnectException.class) != null || find(cause, UnknownHostException.class) != null) {
            return "cannot connect for " + req + " — is the API up, and is " + urlKey + " right? (" + rootMessage(cause) + ")";
        }
        IOException bounded = find(cause, io.leadpipe.http.ResponseLimits.DeadlineExceededException.class);
        if (bounded == null) bounded = find(cause, io.leadpipe.http.ResponseLimits.BodyTooLargeException.class);
        if (bounded != null) return "no usable answer for " + req + " after every retry — " + bounded.getMessage();
        if (find(cause, SocketTimeoutException.class) != null) {
            return "no answer in time for " + req + " — the API is slow or unreachable (" + rootMessage(cause) + ")";
        }
        if (FailureKinds.cannotWrite(cause)) {
            return "the database cannot be written (" + rootMessage(cause) + ") — free disk space or check the database;"
                    + " the page was not re-fetched, and the checkpoint keeps the last stored page for the next run";
        }
        if (FailureKinds.databaseClosed(cause)) {
            // another step's failed write closed the H2 file (a full disk): this step's failure is only its consequence
            return "the database is closed (" + rootMessage(cause) + ") — free disk space or check the database;"
                    + " the checkpoint keeps the last stored page for the next run";
        }
        io.leadpipe.paging.PageLimitException pageLimit = find(cause, io.leadpipe.paging.PageLimitException.class);
        if (pageLimit != null) return pageLimit.getMessage();
        MalformedPageException malformed = find(cause, MalformedPageException.class);
        if (malformed != null) return "unreadable page for " + req + " — " + malformed.getMessage();
        return rootMessage(cause);
    }

    static String rootMessage(Throwable t) {
        return Secrets.rootCauseLine(t);
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c : FailureKinds.causes(t)) {
            if (type.isInstance(c)) return type.cast(c);
        }
        return null;
    }
}
