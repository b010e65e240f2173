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
    private static final String[] COMPANY_A = {"Blue", "Iron", "North", "Bright", "Silver", "Rapid", "Clear", "Prime"};
    private static final String[] COMPANY_B = {"Harbor", "Forge", "Peak", "Signal", "Works", "Labs", "Systems", "Logic", "Field", "Stack"};
    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    private final long seed;
    private volatile int size;
    private final Map<String, int[]> filteredCache = new ConcurrentHashMap<>();

    public LeadDataset(int size, long seed) {
        if (size < 0) throw new IllegalArgumentException("dataset size must be >= 0, was " + size);
        this.size = size;
        this.seed = seed;
    }

    public int size() {
        return size;
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
        String domain = company.toLowerCase(Locale.ROOT).replace(' ', '-') + (index % 97) + ".example";
        Map<String, Object> lead = new LinkedHashMap<>();
        lead.put("id", idOf(index));
        lead.put("email", (first + "." + last).toLowerCase(Locale.ROOT) + index + "@" + domain);
        lead.put("first_name", first);
        lead.put("last_name", last);
        lead.put("title", TITLES[(int) Math.floorMod(h >>> 32, TITLES.length)]);
        lead.put("company", company);
        lead.put("domain", domain);
        lead.put("industry", industryOf(index));
        lead.put("country", countryOf(index));
        lead.put("updated_at", EPOCH.plusSeconds(index * 60L).toString());
        return lead;
    }

    public String industryOf(int index) {
        return INDUSTRIES[(int) Math.floorMod(mix(seed + index * 31L), INDUSTRIES.length)];
    }

    public String countryOf(int index) {
        return COUNTRIES[(int) Math.floorMod(mix(seed * 7 + index * 17L), COUNTRIES.length)];
    }

    /** Positions matching the filters, ascending; cached because every page of a pull asks again. */
    public int[] matching(LeadFilter filter) {
        return filteredCache.computeIfAbsent(filter.key() + "#" + size, k -> {
            int n = size;
            if (filter.isEmpty()) {
                int[] all = new int[n];
                Arrays.setAll(all, i -> i);
                return all;
            }
            List<Integer> hits = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (filter.matches(this, i)) hits.add(i);
            }
            return hits.stream().mapToInt(Integer::intValue).toArray();
        });
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
