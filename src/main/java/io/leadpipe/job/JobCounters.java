package io.leadpipe.job;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Per-job counts of what actually went over the wire (every attempt, retries included). */
public final class JobCounters {

    public static final class Counts {
        public final AtomicLong requests = new AtomicLong();
        public final AtomicLong rateLimited = new AtomicLong();
        public final AtomicLong serverErrors = new AtomicLong();
        public final AtomicLong transportErrors = new AtomicLong();
    }

    private final Map<String, Counts> byJob = new ConcurrentHashMap<>();

    public Counts of(String jobId) {
        return byJob.computeIfAbsent(jobId == null ? "?" : jobId, k -> new Counts());
    }
}
