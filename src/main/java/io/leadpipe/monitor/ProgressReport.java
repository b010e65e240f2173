package io.leadpipe.monitor;

import io.leadpipe.monitor.JobCounters;
import io.leadpipe.ratelimit.RateLimitGovernor;
import io.leadpipe.ratelimit.RateLimits;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One line per running job, every few seconds: page, leads, request rate, quota left, ETA when the total is known. */
public final class ProgressReport {

    private final JobCounters jobs;
    private final RateLimits rateLimits;
    private final Map<String, long[]> last = new ConcurrentHashMap<>(); // job → {time, requests}

    public ProgressReport(JobCounters jobs, RateLimits rateLimits) {
        this.jobs = jobs;
        this.rateLimits = rateLimits;
    }

    public List<String> lines() {
        long now = System.currentTimeMillis();
        List<String> lines = new ArrayList<>();
        for (JobCounters.Counts c : jobs.all()) {
            if (!c.running) {
                last.remove(c.job);
                continue;
            }
            long requests = c.requests.get();
            long[] prev = last.put(c.job, new long[]{now, requests});
            double rate = prev == null ? requests / Math.max(0.001, (now - c.startedAt) / 1000.0)
                    : (requests - prev[1]) / Math.max(0.001, (now - prev[0]) / 1000.0);
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "job=%s page=%d leads=%d", c.job, c.page, c.leadsSoFar));
            if (c.apiTotal != null && c.apiTotal > 0) {
                b.append(String.format(Locale.ROOT, "/%d (%d%%)", c.apiTotal, Math.min(100, c.leadsSoFar * 100 / c.apiTotal)));
            }
            b.append(String.format(Locale.ROOT, " rate=%.1f req/s", rate));
            if (c.source != null) {
                RateLimitGovernor g = rateLimits.governorOrNull(c.source);
                if (g != null && g.remaining() != null) b.append(" quota=").append(Math.max(0, g.remaining())).append('/').append(g.limit());
            }
            long leadsThisRun = c.leads.get();
            if (c.apiTotal != null && leadsThisRun > 0 && c.apiTotal > c.leadsSoFar) {
                double secondsPerLead = (now - c.startedAt) / 1000.0 / leadsThisRun;
                b.append(String.format(Locale.ROOT, " eta=%s", duration(secondsPerLead * (c.apiTotal - c.leadsSoFar))));
            }
            b.append(" next=").append(c.cursor == null ? "-" : io.leadpipe.secrets.Secrets.scrub(c.cursor)); // a cursor may be an e-mail
            lines.add(b.toString());
        }
        return lines;
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
