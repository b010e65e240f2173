package io.leadpipe.http;

import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.classic.ExecRuntime;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds every API call as a whole: the read timeout is per read, so an API trickling a byte at a time (or
 * its headers) or streaming an endless body would hold a job forever. An exec interceptor of the HTTP client
 * (installed by {@link ApiKeyAuth}) arms a timer per request that closes the connection at the deadline, and
 * wraps the body in a stream that counts bytes. Both end the attempt with an IOException, so
 * routes/errors.yaml retries it like a timeout. The token endpoints' client uses the same bounds, and a
 * shutdown past its grace ends every call in flight ({@link #cutShortAll}).
 */
public final class ResponseLimits implements ExecChainHandler {

    /** The defaults of leadpipe.http.request-deadline-ms and leadpipe.http.max-body-bytes. */
    public static final ResponseLimits DEFAULTS = new ResponseLimits(120_000, 64L * 1024 * 1024);

    private static final ScheduledExecutorService TIMER = timer();

    private final long deadlineMillis;
    private final long maxBodyBytes;

    public ResponseLimits(long deadlineMillis, long maxBodyBytes) {
        this.deadlineMillis = deadlineMillis;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** No complete answer within the deadline. */
    public static final class DeadlineExceededException extends IOException {
        DeadlineExceededException(long millis) {
            super("no complete answer within " + millis + " ms (leadpipe.http.request-deadline-ms): the API is too slow or sends an endless answer");
        }
    }

    /** The body is larger than allowed. */
    public static final class BodyTooLargeException extends IOException {
        BodyTooLargeException(long max, String how) {
            super("the answer " + how + " more than " + max + " bytes (leadpipe.http.max-body-bytes)");
        }
    }

    /** A shutdown signal cut the call short after the grace period. */
    public static final class CutShortException extends IOException {
        CutShortException() {
            super("the call was cut short by a shutdown signal (leadpipe.shutdown.grace-ms)");
        }
    }

    /** Every call in flight in this process, so a shutdown can end them all. */
    private static final Set<Call> IN_FLIGHT = ConcurrentHashMap.newKeySet();

    /**
     * A shutdown whose grace period is over: every call in flight ends now with {@link CutShortException}
     * (its connection closed), so no job waits on a slow API past the grace. Calls made later run as usual.
     */
    public static void cutShortAll() {
        for (Call call : IN_FLIGHT) call.end(Call.CUT_SHORT);
    }

    /**
     * One call's bounds. Ending it closes the connection it holds — and keeps closing whatever connection it
     * takes after (every {@value #REPEAT_MILLIS} ms), since the deadline may fall while it holds none (a token
     * renewal inside the call) and a connection taken later must not outlive it.
     */
    private final class Call {
        static final int RUNNING = 0;
        static final int EXPIRED = 1;
        static final int CUT_SHORT = 2;
        static final long REPEAT_MILLIS = 100;

        private final AtomicInteger state = new AtomicInteger(RUNNING);
        private final ExecRuntime runtime;
        private volatile ScheduledFuture<?> timer;

        Call(ExecRuntime runtime) {
            this.runtime = runtime;
            IN_FLIGHT.add(this);
            timer = TIMER.scheduleWithFixedDelay(() -> end(EXPIRED), deadlineMillis, REPEAT_MILLIS, TimeUnit.MILLISECONDS);
        }

        void end(int why) {
            if (state.compareAndSet(RUNNING, why) && why == CUT_SHORT) {
                timer.cancel(false);
                timer = TIMER.scheduleWithFixedDelay(() -> end(CUT_SHORT), 0, REPEAT_MILLIS, TimeUnit.MILLISECONDS);
            }
            runtime.discardEndpoint();
        }

        boolean ended() {
            return state.get() != RUNNING;
        }

        /** The exception that says why the call ended, or null while it runs. */
        IOException why() {
            return switch (state.get()) {
                case EXPIRED -> new DeadlineExceededException(deadlineMillis);
                case CUT_SHORT -> new CutShortException();
                default -> null;
            };
        }

        void finish() {
            timer.cancel(false);
            IN_FLIGHT.remove(this);
        }
    }

    @Override
    public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain) throws IOException, HttpException {
        ExecRuntime runtime = scope.execRuntime;
        // closing the connection is the one way to end a blocked read (headers or body) from outside
        Call call = new Call(runtime);
        ClassicHttpResponse response;
        try {
            response = chain.proceed(request, scope);
        } catch (IOException | RuntimeException | HttpException e) {
            call.finish();
            // an ended call fails in whatever way the closed connection made it fail ("Endpoint not acquired…")
            IOException why = call.why();
            if (why != null) throw why;
            throw e;
        }
        if (call.ended()) {
            call.finish();
            response.close();
            throw call.why();
        }
        HttpEntity entity = response.getEntity();
        if (entity == null) {
            call.finish();
            return response;
        }
        if (entity.getContentLength() > maxBodyBytes) {
            call.finish();
            runtime.discardEndpoint(); // the rest of a huge body is not worth reading to keep the connection
            throw new BodyTooLargeException(maxBodyBytes, "announces " + entity.getContentLength() + " bytes,");
        }
        response.setEntity(new Bounded(entity, call, runtime));
        return response;
    }

    /** The body, read through a stream that stops at the size limit and reports the deadline. */
    private final class Bounded extends HttpEntityWrapper {
        private final Call call;
        private final ExecRuntime runtime;
        private volatile boolean atEnd;

        Bounded(HttpEntity entity, Call call, ExecRuntime runtime) {
            super(entity);
            this.call = call;
            this.runtime = runtime;
        }

        /**
         * Closing a body before its end makes HttpClient read the rest (to reuse the connection): with an
         * endless body that never returns. A body left unfinished has its connection dropped instead.
         */
        private void finish() {
            if (!atEnd) runtime.discardEndpoint();
            call.finish();
        }

        @Override
        public InputStream getContent() throws IOException {
            return new Counting(super.getContent());
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            try (InputStream in = getContent()) {
                in.transferTo(out);
            }
        }

        @Override
        public void close() throws IOException {
            finish();
            super.close();
        }

        private final class Counting extends FilterInputStream {
            private long count;

            Counting(InputStream in) {
                super(in);
            }

            @Override
            public int read() throws IOException {
                int b = guarded(() -> super.read());
                if (b >= 0) counted(1);
                else atEnd = true;
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = guarded(() -> super.read(buf, off, len));
                if (n > 0) counted(n);
                else if (n < 0) atEnd = true;
                return n;
            }

            @Override
            public void close() throws IOException {
                finish();
                super.close();
            }

            private void counted(int n) throws IOException {
                count += n;
                if (count > maxBodyBytes) {
                    finish();
                    throw new BodyTooLargeException(maxBodyBytes, "streamed");
                }
                if (call.ended()) throw call.why();
            }

            private int guarded(IoRead read) throws IOException {
                try {
                    return read.read();
                } catch (IOException | RuntimeException e) {
                    if (call.ended()) throw call.why();
                    throw e;
                }
            }
        }
    }

    private interface IoRead {
        int read() throws IOException;
    }

    private static ScheduledExecutorService timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "leadpipe-http-deadline");
            thread.setDaemon(true);
            return thread;
        });
        t.setRemoveOnCancelPolicy(true); // a cancelled deadline (every normal answer) leaves nothing behind
        return t;
    }

    public long deadlineMillis() {
        return deadlineMillis;
    }

    public long maxBodyBytes() {
        return maxBodyBytes;
    }
}
