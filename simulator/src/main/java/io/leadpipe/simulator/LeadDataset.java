package io.leadpipe.simulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A deterministic set of B2B leads: lead {@code i} is the same for the same seed on every machine,
 * so tests can compare the extracted id set with the served one exactly.
 */
public final class LeadDataset {

    static final String[] INDUSTRIES = {"Software", "Manufacturing", "Healthcare", "Finance", "Retail", "Logistics", "Energy", "Education"};
    static final String[] COUNTRIES = {"US", "DE", "GB", "FR", "NL", "SE", "CA", "AU"};
    private static final String[] FIRST = {"Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kira", "Liam", "Maya", "Noah", "Olga", "Pavel"};
    private static final String[] LAST = {"Nguyen", "Schmidt", "Garcia", "Okafor", "Larsen", "Rossi", "Kowalski", "Tanaka", "Dubois", "Silva", "Murphy", "Haddad"};
    private static final String[] TITLES = {"CTO", "VP Sales", "Head of Marketing", "Procurement Lead", "IT Director", "COO", "Data Engineer", "CFO"};
    static final String[] COMPANY_A = {"Blue", "Iron", "North", "Bright", "Silver", "Rapid", "Clear", "Prime"};
    static final String[] COMPANY_B = {"Harbor", "Forge", "Peak", "Signal", "Works", "Labs", "Systems", "Logic", "Field", "Stack"};
    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    private final long seed;
    private volatile int missingLastNameEvery;
    private int nextIndex;
    /** Serving order (lead indices). Null while nothing was inserted or deleted: then it is 0..size-1. */
    private List<Integer> liveOrder;
    private int baseSize;
    private volatile long version;
    private final Map<String, int[]> filteredCache = new ConcurrentHashMap<>();

    public LeadDataset(int size, long seed) {
        if (size < 0) throw new IllegalArgumentException("dataset size must be >= 0, was " + size);
        this.baseSize = size;
        this.nextIndex = size;
        this.seed = seed;
    }

    /** Every N-th lead gets an empty last name (0 = none). */
    public void missingLastNameEvery(int n) {
        this.missingLastNameEvery = n;
    }

    /** Leads currently in the set. */
    public synchronized int size() {
        return liveOrder == null ? baseSize : liveOrder.size();
    }

    /** True once records were inserted or deleted: positions are then no longer sorted by index. */
    public synchronized boolean isLive() {
        return liveOrder != null;
    }

    /** A new lead at a serving position (0 = first): everything after it moves one position later. */
    public synchronized String insertAt(int position) {
        live();
        int index = nextIndex++;
        liveOrder.add(Math.min(position, liveOrder.size()), index);
        changed();
        return idOf(index);
    }

    /** Deletes the lead at a serving position: everything after it moves one position earlier. */
    public synchronized String deleteAt(int position) {
        live();
        if (liveOrder.isEmpty()) return null;
        int index = liveOrder.remove(Math.min(position, liveOrder.size() - 1));
        changed();
        return idOf(index);
    }

    /** The ids currently in the set (all filters off), in serving order. */
    public synchronized List<String> currentIds() {
        List<String> ids = new ArrayList<>();
        for (int i : matching(new LeadFilter(null, null))) ids.add(idOf(i));
        return ids;
    }

    private void live() {
        if (liveOrder == null) {
            liveOrder = new ArrayList<>(baseSize);
            for (int i = 0; i < baseSize; i++) liveOrder.add(i);
        }
    }

    private void changed() {
        version++;
        filteredCache.clear();
    }

    public static String idOf(int index) {
        return String.format(Locale.ROOT, "L%07d", index + 1);
    }

    /** The lead at a position; positions are stable, so a keyset cursor can point at one. */
    public Map<String, Object> lead(int index) {
        long h = mix(seed ^ (index * 0x9E3779B97F4A7C15L));
        String first = FIRST[(int) Math.floorMod(h, FIRST.length)];
        String last = LAST[(int) Math.floorMod(h >>> 8, LAST.length)];
        String company = COMPANY_A[(int) Math.floorMod(h >>> 16, COMPANY_A.length)] + " " + COMPANY_B[(int) Math.floorMod(h >>> 24, COMPANY_B.length)];
        // a few hundred companies: many leads share a domain, as in real lead lists
        String domain = company.toLowerCase(Locale.ROOT).replace(' ', '-') + (index % 5) + ".example";
        Map<String, Object> lead = new LinkedHashMap<>();
        lead.put("id", idOf(index));
        lead.put("email", (first + "." + last).toLowerCase(Locale.ROOT) + index + "@" + domain);
        lead.put("first_name", first);
        lead.put("last_name", missingLastNameEvery > 0 && index % missingLastNameEvery == missingLastNameEvery - 1 ? "" : last);
        lead.put("title", TITLES[(int) Math.floorMod(h >>> 32, TITLES.length)]);
        lead.put("company", company);
        lead.put("domain", domain);
        lead.put("industry", industryOf(index));
        lead.put("country", countryOf(index));
        lead.put("updated_at", updatedAt(index).toString());
        lead.put("created", createdAt(index));
        return lead;
    }

    private final Map<Integer, java.time.Instant> touched = new ConcurrentHashMap<>();

    public java.time.Instant updatedAt(int index) {
        return touched.getOrDefault(index, EPOCH.plusSeconds(index * 60L));
    }

    /** When the lead was created, in epoch seconds (Stripe's {@code created}): one a minute from 2026-01-01, never changes. */
    public long createdAt(int index) {
        return EPOCH.getEpochSecond() + index * 60L;
    }

    /** The leads at these indices change now (their updated_at moves to now), as edits in a CRM would. */
    public synchronized void touch(int... indices) {
        java.time.Instant now = java.time.Instant.now();
        for (int i : indices) touched.put(i, now);
        changed();
    }

    public String industryOf(int index) {
        return INDUSTRIES[(int) Math.floorMod(mix(seed + index * 31L), INDUSTRIES.length)];
    }

    public String countryOf(int index) {
        return COUNTRIES[(int) Math.floorMod(mix(seed * 7 + index * 17L), COUNTRIES.length)];
    }

    /** Lead indices matching the filters, in serving order; cached because every page of a pull asks again. */
    public synchronized int[] matching(LeadFilter filter) {
        return filteredCache.computeIfAbsent(filter.key() + "#" + version, k -> {
            if (liveOrder == null && filter.isEmpty()) {
                int[] all = new int[baseSize];
                Arrays.setAll(all, i -> i);
                return all;
            }
            List<Integer> order = liveOrder;
            List<Integer> hits = new ArrayList<>();
            int n = order == null ? baseSize : order.size();
            for (int p = 0; p < n; p++) {
                int i = order == null ? p : order.get(p);
                if (filter.matches(this, i)) hits.add(i);
            }
            return hits.stream().mapToInt(Integer::intValue).toArray();
        });
    }

    /** The serving position just after a lead, or -1 when it is no longer in the list. */
    public synchronized int positionAfter(int[] matching, int leadIndex) {
        if (leadIndex < 0) return 0;
        if (liveOrder == null) {
            int from = Arrays.binarySearch(matching, leadIndex + 1);
            return from < 0 ? -from - 1 : from;
        }
        for (int p = 0; p < matching.length; p++) if (matching[p] == leadIndex) return p + 1;
        return -1;
    }

    /** A lead's index from its id (L0000001 → 0), or -1. */
    public static int indexOf(String id) {
        if (id == null || id.length() != 8 || id.charAt(0) != 'L') return -1;
        try {
            return Integer.parseInt(id.substring(1)) - 1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
