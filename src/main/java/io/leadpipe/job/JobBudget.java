package io.leadpipe.job;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A sliced job's credit budget: its {@code maxRequests} and {@code maxLeads} count what all its slices made and
 * received, not each slice alone (a cap of 5,000 requests on a job cut into 8 slices means 5,000, not 40,000).
 * A slice pulling in this run counts with its live pull; any other slice (not started yet, already DONE, or
 * held by another process) with what its checkpoint said when the job's run began.
 */
public final class JobBudget {

    /** Where sliced jobs' budgets are kept while they run (the pull repository, which reads the slices' checkpoints). */
    public interface Budgets {
        /** A sliced job's run begins: a budget from its slices' checkpoints as they are now. */
        JobBudget start(String job, java.util.Collection<String> sliceJobs) throws java.sql.SQLException;

        /** The run ended. */
        void end(String job);
    }

    /** What a slice's checkpoint said: every request made for it, and the leads of its current pull. */
    public record Saved(long requests, long leads) {}

    private final String job;
    private final int slices;
    private final Map<String, Saved> notPulling;
    private final List<Pull> pulling = new ArrayList<>();

    public JobBudget(String job, int slices, Map<String, Saved> saved) {
        this.job = job;
        this.slices = slices;
        this.notPulling = new HashMap<>(saved);
    }

    /** The slice's pull counts live from now on (its checkpoint's numbers are in it). */
    public synchronized void pulling(Pull pull) {
        notPulling.remove(pull.jobId());
        if (!pulling.contains(pull)) pulling.add(pull);
    }

    /**
     * Requests made for every slice. Reads the live pulls without their locks (a pull checking its caps holds
     * its own, and may be asking this while another pull does the same).
     */
    public synchronized long requests() {
        long n = 0;
        for (Pull p : pulling) n += p.requestsTotal();
        for (Saved s : notPulling.values()) n += s.requests();
        return n;
    }

    /** Leads received by every slice's current pull. */
    public synchronized long leads() {
        long n = 0;
        for (Pull p : pulling) n += p.leads();
        for (Saved s : notPulling.values()) n += s.leads();
        return n;
    }

    /** "by the 8 slices of job by-country". */
    String whose() {
        return "by the " + slices + " slices of job " + job;
    }
}
