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
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds every API call as a whole: the read timeout is per read, so an API trickling a byte at a time (or
 * its headers) or streaming an endless body would hold a job forever. An exec interceptor of the HTTP client
 * (installed by {@link ApiKeyAuth}) arms a timer per request that closes the connection at the deadline, and
 * wraps the body in a stream that counts bytes. Both end the attempt with an IOException, so
 * routes/errors.yaml retries it like a timeout.
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

    @Override
    public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain) throws IOException, HttpException {
        AtomicBoolean expired = new AtomicBoolean();
        ExecRuntime runtime = scope.execRuntime;
        // closing the connection is the one way to end a blocked read (headers or body) from outside
        ScheduledFuture<?> deadline = TIMER.schedule(() -> {
            expired.set(true);
            runtime.discardEndpoint();
        }, deadlineMillis, TimeUnit.MILLISECONDS);
        ClassicHttpResponse response;
        try {
            response = chain.proceed(request, scope);
        } catch (IOException e) {
            deadline.cancel(false);
            if (expired.get()) throw new DeadlineExceededException(deadlineMillis);
            throw e;
        } catch (RuntimeException | HttpException e) {
            deadline.cancel(false);
            throw e;
        }
        HttpEntity entity = response.getEntity();
        if (entity == null) {
            deadline.cancel(false);
            return response;
        }
        if (entity.getContentLength() > maxBodyBytes) {
            deadline.cancel(false);
            runtime.discardEndpoint(); // the rest of a huge body is not worth reading to keep the connection
            throw new BodyTooLargeException(maxBodyBytes, "announces " + entity.getContentLength() + " bytes,");
        }
        response.setEntity(new Bounded(entity, deadline, expired, runtime));
        return response;
    }

    /** The body, read through a stream that stops at the size limit and reports the deadline. */
    private final class Bounded extends HttpEntityWrapper {
        private final ScheduledFuture<?> deadline;
        private final AtomicBoolean expired;
        private final ExecRuntime runtime;
        private volatile boolean atEnd;

        Bounded(HttpEntity entity, ScheduledFuture<?> deadline, AtomicBoolean expired, ExecRuntime runtime) {
            super(entity);
            this.deadline = deadline;
            this.expired = expired;
            this.runtime = runtime;
        }

        /**
         * Closing a body before its end makes HttpClient read the rest (to reuse the connection): with an
         * endless body that never returns. A body left unfinished has its connection dropped instead.
         */
        private void finish() {
            if (!atEnd) runtime.discardEndpoint();
            deadline.cancel(false);
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
                if (expired.get()) throw new DeadlineExceededException(deadlineMillis);
            }

            private int guarded(IoRead read) throws IOException {
                try {
                    return read.read();
                } catch (IOException e) {
                    if (expired.get()) throw new DeadlineExceededException(deadlineMillis);
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
