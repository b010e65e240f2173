package io.leadpipe.sink.fake;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * People Data Labs Company Enrichment API, {@code GET /v5/company/enrich?website=…} (see {@link PdlFake}); the record's shape
 * follows the documented Example Company Record (https://docs.peopledatalabs.com/docs/example-company-record): {@code name},
 * {@code display_name}, {@code size} (a range), {@code employee_count}, {@code industry}, {@code location{name, country, …}},
 * {@code website}, with {@code status} and {@code likelihood} beside them at the top level.
 */
public final class PdlCompanyFake extends PdlFake {

    public PdlCompanyFake(String apiKey) throws IOException {
        super(apiKey, "/v5/company/enrich", "website");
    }

    /** What the fake answers for this domain's industry (a known domain). */
    public static String industry(String domain) {
        return Math.floorMod(domain.hashCode(), 2) == 0 ? "computer software" : "financial services";
    }

    public static int employees(String domain) {
        return 10 + Math.floorMod(domain.hashCode(), 5000);
    }

    @Override
    protected Map<String, Object> record(String domain) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("status", 200);
        r.put("name", domain.substring(0, domain.indexOf('.')).replace('-', ' '));
        r.put("display_name", domain.substring(0, domain.indexOf('.')));
        r.put("size", "51-200");
        r.put("employee_count", employees(domain));
        r.put("founded", 2015);
        r.put("industry", industry(domain));
        r.put("location", Map.of("name", "san francisco, california, united states", "locality", "san francisco", "country", "united states",
                "continent", "north america"));
        r.put("website", domain);
        r.put("likelihood", 6);
        return r;
    }
}
