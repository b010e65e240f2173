package io.leadpipe.job;

import java.util.Map;

/**
 * A job's declaration, built once from its route's template parameters (routes/extract.yaml,
 * routes/children.yaml): which source, which filters (normalised), its caps, whether it is incremental,
 * sliced or a slice, and for a parent → child job its children. Immutable; the pull of each run reads it.
 *
 * @param incremental the API's watermark parameter (updated_since) of an incremental job, else null
 * @param slices the job's slice declaration ("" when the job is one pull)
 * @param sliceOf the sliced job a slice's own route belongs to, else null
 * @param children what a parent → child job pulls for each parent, else null
 */
public record JobSpec(String jobId, String source, String filters, long maxRequests, long maxLeads, String incremental,
                      String slices, String sliceOf, Children children) {

    /**
     * A parent → child job's children: the request per parent ({id}), the source that reads them, their
     * filters, the cap on child leads, and where the parent's id is in a parent record (null: its id).
     */
    public record Children(String request, String source, String filters, long maxLeads, String parentIdPointer) {}

    public JobSpec {
        filters = JobFilters.normalise(filters);
        incremental = blankToNull(incremental);
        slices = slices == null ? "" : slices.strip();
        sliceOf = blankToNull(sliceOf);
    }

    /**
     * From a route's template parameters (defaults included). A route made from {@code extract-children} has
     * the {@code childSource} parameter: its leads cap counts the children, and it is never incremental.
     */
    public static JobSpec fromTemplate(Map<String, Object> params) {
        String jobId = text(params, "jobId");
        if (jobId.isBlank()) throw new IllegalStateException("a job route without a jobId parameter: " + params.keySet());
        long maxRequests = number(params, "maxRequests", jobId);
        long maxLeads = number(params, "maxLeads", jobId);
        if (params.containsKey("childSource")) {
            Children children = new Children(text(params, "children"), text(params, "childSource"), JobFilters.normalise(text(params, "childFilters")),
                    maxLeads, blankToNull(text(params, "parentIdPointer")));
            return new JobSpec(jobId, text(params, "source"), text(params, "filters"), maxRequests, 0, null, "", null, children);
        }
        return new JobSpec(jobId, text(params, "source"), text(params, "filters"), maxRequests, maxLeads, text(params, "incremental"),
                text(params, "slices"), text(params, "sliceOf"), null);
    }

    /** The filters' hash, kept on the checkpoint: a job declared again with other filters is refused, not mixed. */
    public String filterHash() {
        return JobFilters.hash(filters);
    }

    public boolean sliced() {
        return !slices.isEmpty();
    }

    private static String text(Map<String, Object> params, String name) {
        Object v = params.get(name);
        return v == null ? "" : v.toString().strip();
    }

    private static long number(Map<String, Object> params, String name, String job) {
        String v = text(params, name);
        if (v.isEmpty()) return 0;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("job " + job + ": " + name + " '" + v + "' is not a whole number");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
