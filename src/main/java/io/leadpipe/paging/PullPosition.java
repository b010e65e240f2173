package io.leadpipe.paging;

/**
 * What paging needs to know of a pull to build its next request: which source, where it stands, the
 * job's filters and (incremental pulls) the watermark. The pull state implements it.
 */
public interface PullPosition {

    String jobId();

    String source();

    /** The checkpoint's resume token (cursor, URL, last id, offset or page number); null = the first page. */
    String position();

    /** The last page stored (0 before the first). */
    int pageNo();

    /**
     * The most records one page has brought in this run (0 before the first page): the API's real page size,
     * which may be less than the size asked for (most vendors clamp it silently).
     */
    int largestPage();

    /** The pull's id: page fingerprints are per pull. */
    String pullId();

    /** Normalised filters, sent with every page. */
    String filters();

    /** The API's watermark parameter (e.g. updated_since) and its value, or nulls for a full pull. */
    String watermarkParam();

    String watermark();

    /**
     * The endpoint this pull's pages are read from, given the source's (its URL without the query): the
     * source's own, or for a parent's child list the source URL with the parent's id in its path.
     */
    default String endpoint(String sourceEndpoint) {
        return sourceEndpoint;
    }
}
