package io.leadpipe.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The records behind a vendor fake, which change at the source between two pulls: some are edited, some
 * added, some deleted, each stamped by the vendor's clock — ours plus a skew, so a test can put the API's
 * clock minutes ahead of or behind leadpipe's. Deleted records are kept (flagged) for the vendors that show them.
 */
public final class SourceRecords {

    public static final class Rec {
        public final String id;
        public final int seq;
        public final Instant created;
        public Instant updated;
        public boolean deleted;
        int version;

        Rec(String id, int seq, Instant created) {
            this.id = id;
            this.seq = seq;
            this.created = created;
            this.updated = created;
        }

        /** A field whose value shows which edit of the record a reader holds. */
        public String name() {
            return "Lead " + seq + (version == 0 ? "" : " v" + version);
        }
    }

    private final Map<String, Rec> byId = new LinkedHashMap<>();
    private final IntFunction<String> idOf;
    private final Duration skew;
    private Instant last = Instant.EPOCH;
    private final int seeded;

    /** {@code n} records created an hour apart, the last an hour ago (by the vendor's clock), ids from {@code idOf(0..)}. */
    public SourceRecords(int n, IntFunction<String> idOf, Duration skew) {
        this.idOf = idOf;
        this.skew = skew;
        this.seeded = n;
        // an hour apart: an overlap of minutes re-reads one old record at most, not the whole list
        Instant first = Instant.now().plus(skew).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).minus(Duration.ofHours(n));
        for (int i = 0; i < n; i++) {
            Rec r = new Rec(idOf.apply(i), i, first.plus(Duration.ofHours(i)));
            byId.put(r.id, r);
        }
    }

    /** The vendor's clock: ours plus the skew, and strictly later than its last stamp. */
    synchronized Instant now() {
        Instant t = Instant.now().plus(skew);
        last = t.isAfter(last) ? t : last.plusMillis(1);
        return last;
    }

    /** Edits {@code count} live records spread over the list (every k-th); their ids. */
    public synchronized List<String> change(int count) {
        List<Rec> live = live();
        List<String> ids = new ArrayList<>();
        int step = Math.max(1, live.size() / Math.max(1, count));
        for (int i = 0; i < live.size() && ids.size() < count; i += step) {
            Rec r = live.get(i);
            r.version++;
            r.updated = now();
            ids.add(r.id);
        }
        return ids;
    }

    /** Adds {@code count} new records; their ids. */
    public synchronized List<String> add(int count) {
        List<String> ids = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            int seq = byId.size();
            Rec r = new Rec(idOf.apply(seq), seq, now());
            byId.put(r.id, r);
            ids.add(r.id);
        }
        return ids;
    }

    /** Deletes {@code count} live records, neither new nor edited ones (from the end of the list); their ids. */
    public synchronized List<String> delete(int count) {
        List<Rec> untouched = live().stream().filter(r -> r.version == 0 && r.seq < seeded).toList();
        List<String> ids = new ArrayList<>();
        for (int i = untouched.size() - 2; i >= 0 && ids.size() < count; i -= 7) {
            Rec r = untouched.get(i);
            r.deleted = true;
            r.updated = now();
            ids.add(r.id);
        }
        return ids;
    }

    /** Restores a deleted record (HubSpot's recycling bin, Salesforce's Recycle Bin): live again, changed now. */
    public synchronized void restore(String id) {
        Rec r = byId.get(id);
        r.deleted = false;
        r.updated = now();
    }

    /** Records not deleted, in list order. */
    public synchronized List<Rec> live() {
        return byId.values().stream().filter(r -> !r.deleted).toList();
    }

    /** Every record, deleted ones too, in list order. */
    public synchronized List<Rec> all() {
        return List.copyOf(byId.values());
    }

    /** Newest first by creation (Stripe's order). */
    public synchronized List<Rec> newestFirst() {
        return byId.values().stream().filter(r -> !r.deleted).sorted(Comparator.comparing((Rec r) -> r.created).reversed()).toList();
    }

    synchronized Rec get(String id) {
        return byId.get(id);
    }
}
