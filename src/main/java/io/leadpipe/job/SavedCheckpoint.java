package io.leadpipe.job;

import java.time.Instant;

/** A job's checkpoint row as read at open: where the pull stands and how it last ended. */
public record SavedCheckpoint(String status, String filters, String filterHash, String pullId, String mode,
                              String nextCursor, int page, long leads, Long apiTotalFirst, Long apiTotalLast,
                              long requests, int duplicatePages, long seenTwice, String watermark, Instant pullStartedAt) {

    public boolean done() {
        return PullStatus.of(status) == PullStatus.DONE;
    }
}
