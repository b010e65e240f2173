package io.leadpipe.paging;

import java.util.LinkedHashSet;
import java.util.Iterator;
import java.util.Set;

/**
 * Stops a pull that pages in circles instead of letting it burn quota forever: the same cursor twice in
 * a row, a cursor already used in this run, the same page twice in a row where we compute positions
 * ourselves (offset, page number), and more pages than the API's own total implies — in pages of the size
 * the API really serves (at most the size asked for: vendors clamp it). One per pull run.
 */
public final class LoopGuard {

    /** Cursors remembered for cycle detection: the most recent ones, so memory stays flat on a pull of millions of pages. */
    public static final int REMEMBERED_CURSORS = 10_000;

    private final String source;
    private final boolean positional;
    private final int pageSize;
    private final int rememberedCursors;
    private final Set<String> usedCursors = new LinkedHashSet<>();
    private String previousFingerprint;
    private int largestPage;

    public LoopGuard(String source, boolean positional, int pageSize) {
        this(source, positional, pageSize, REMEMBERED_CURSORS);
    }

    LoopGuard(String source, boolean positional, int pageSize, int rememberedCursors) {
        this.source = source;
        this.positional = positional;
        this.pageSize = Math.max(1, pageSize);
        this.rememberedCursors = rememberedCursors;
    }

    /**
     * Checks the page fetched at {@code position}, given the API's total so far and the duplicate pages
     * skipped in this run (they do not count against the total); throws {@link PagingLoopException}.
     */
    public void check(String position, FetchedPage page, Long apiTotal, int duplicatePagesThisRun) {
        check(position, page, apiTotal, duplicatePagesThisRun, false);
    }

    /**
     * {@code planned}: a parallel page, asked for at a position computed ahead (offset, page number) — pages
     * finish out of order, so a position already used says nothing; the same page twice and the total still do.
     */
    public void check(String position, FetchedPage page, Long apiTotal, int duplicatePagesThisRun, boolean planned) {
        String next = page.next();
        int pageNo = page.pageNo();
        if (!planned) checkCursor(position, next, pageNo);
        checkPage(page, apiTotal, duplicatePagesThisRun);
    }

    private void checkCursor(String position, String next, int pageNo) {
        if (next != null && next.equals(position)) {
            throw new PagingLoopException("the API returned the same cursor twice in a row (page " + pageNo + "): stopping instead of looping forever");
        }
        if (position != null) remember(position);
        if (next != null && usedCursors.contains(next)) {
            throw new PagingLoopException("cursor cycle: the API's next cursor after page " + pageNo + " was already used earlier in this run");
        }
    }

    private void checkPage(FetchedPage page, Long apiTotal, int duplicatePagesThisRun) {
        String next = page.next();
        int pageNo = page.pageNo();
        String fingerprint = page.fingerprint();
        if (page.records() > 0 && fingerprint.equals(previousFingerprint) && positional) {
            throw new PagingLoopException("the API returned the same page twice in a row (page " + pageNo
                    + "): it seems to ignore the offset or page parameter (check leadpipe.source." + source + ".offset-param / page-param)");
        }
        previousFingerprint = fingerprint;
        largestPage = Math.max(largestPage, page.records());
        if (apiTotal != null && next != null) {
            int pageSize = servedPageSize();
            long expectedPages = Math.max(1, (apiTotal + pageSize - 1) / pageSize);
            if (pageNo >= expectedPages + 1 + duplicatePagesThisRun) {
                throw new PagingLoopException("page " + pageNo + " still has a next page, but the API's own total of " + apiTotal
                        + " records means " + expectedPages + " pages of " + pageSize + ": stopping");
            }
        }
    }

    /**
     * The page size the total is divided by: what the API has served in this run (the largest page so far),
     * never more than asked for — an API that ignores the size and serves more only makes the bound looser.
     */
    private int servedPageSize() {
        return largestPage > 0 ? Math.min(pageSize, largestPage) : pageSize;
    }

    /** How many cursors are remembered now (at most {@link #REMEMBERED_CURSORS}). */
    public int rememberedCursors() {
        return usedCursors.size();
    }

    private void remember(String cursor) {
        if (!usedCursors.add(cursor)) return;
        if (usedCursors.size() > rememberedCursors) {
            Iterator<String> oldest = usedCursors.iterator();
            oldest.next();
            oldest.remove();
        }
    }
}
