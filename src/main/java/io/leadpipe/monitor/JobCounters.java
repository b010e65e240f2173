package io.leadpipe.monitor;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What happened per job while it runs: every request that went over the wire (retries included), pages,
 * leads, and enough timing to say how fast it goes, how long it should take and how often it fails.
 */
public final class JobCounters {

    public static final class Counts {
        public final String job;
        public final AtomicLong requests = new AtomicLong();
        public final AtomicLong rateLimited = new AtomicLong();
        public final AtomicLong serverErrors = new AtomicLong();
        public final AtomicLong transportErrors = new AtomicLong();
        public final AtomicLong retries = new AtomicLong();
        public final AtomicLong pages = new AtomicLong();
        public final AtomicLong leads = new AtomicLong();
        public final AtomicLong duplicatePages = new AtomicLong();
        /** 429s in a row, reset by any other answer. */
        public final AtomicLong consecutive429 = new AtomicLong();
        private final Deque<long[]> attempts = new ArrayDeque<>(); // {time, failed 0/1}
        public volatile boolean running;
        public volatile long startedAt;
        public volatile long finishedAt;
        public volatile String status = "IDLE";
        public volatile Long apiTotal;
        public volatile long leadsSoFar;      // including earlier runs (the checkpoint's count)
        public volatile int page;
        public volatile String cursor;
        public volatile Double expectedSeconds;
        public volatile long drift;
        public volatile String source;
        private volatile long firstPagesDoneAt;

        Counts(String job) {
            this.job = job;
        }

        /** One attempt's outcome, for the error rate over a sliding window. */
        public synchronized void attempt(long now, boolean failed) {
            attempts.addLast(new long[]{now, failed ? 1 : 0});
            while (attempts.size() > 100_000) attempts.removeFirst();
        }

        /** Failed attempts ÷ attempts in the last {@code windowMillis}; {@code [ratio, attempts]}. */
        public synchronized double[] errorRate(long now, long windowMillis) {
            while (!attempts.isEmpty() && attempts.peekFirst()[0] < now - windowMillis) attempts.removeFirst();
            long failed = 0;
            for (long[] a : attempts) failed += a[1];
            return new double[]{attempts.isEmpty() ? 0 : failed / (double) attempts.size(), attempts.size()};
        }

        /** After the first few pages the pace is known: expected duration = pace × pages the total implies. */
        public void pageDone(long now, int pageSize) {
            pages.incrementAndGet();
            if (expectedSeconds == null && apiTotal != null && pages.get() >= 5 && pageSize > 0) {
                double perPage = (now - startedAt) / 1000.0 / pages.get();
                long remainingPages = Math.max(0, (apiTotal - leadsSoFar + pageSize - 1) / pageSize);
                expectedSeconds = (now - startedAt) / 1000.0 + perPage * remainingPages;
                firstPagesDoneAt = now;
            }
        }

        public double runningSeconds(long now) {
            return ((running ? now : finishedAt) - startedAt) / 1000.0;
        }
    }

    private final Map<String, Counts> byJob = new ConcurrentHashMap<>();

    public Counts of(String jobId) {
        String key = jobId == null ? "?" : jobId;
        return byJob.computeIfAbsent(key, Counts::new);
    }

    public List<Counts> all() {
        return List.copyOf(byJob.values());
    }
}
