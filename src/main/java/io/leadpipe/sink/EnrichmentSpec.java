package io.leadpipe.sink;

import com.fasterxml.jackson.core.JsonPointer;
import io.leadpipe.config.ApiKeys;
import io.leadpipe.config.JsonPointerSyntax;
import io.leadpipe.config.Settings;
import io.leadpipe.ratelimit.QuotaSpec;
import io.leadpipe.ratelimit.QuotaWindows;
import io.leadpipe.ratelimit.RateLimitHeaderNames;
import io.leadpipe.ratelimit.RateLimitRules;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The enrichment API, built once from the settings (an enrichment profile, {@code leadpipe.sink.enrichment.profile},
 * layered under them) and checked in one place: the lead field looked up and the query parameter carrying it, the
 * fields taken from an answer (none: the answer as it is), and its quota signals — header windows, "slow down"
 * answers and the request rate, read as the CRM's are ({@code leadpipe.sink.enrichment.quota.*}, {@code .rate-limit-rules}).
 *
 * @param fields enrichment name → JSON pointer into the answer (People Data Labs: sector = /industry); empty: the whole answer
 */
public record EnrichmentSpec(String keyField, String keyParam, Map<String, JsonPointer> fields, QuotaSpec quota) {

    private static final String P = "leadpipe.sink.enrichment.";

    public static EnrichmentSpec from(Settings s) {
        String keyField = s.getText(P + "key-field");
        String keyParam = s.getText(P + "key-param");
        if (keyParam.isBlank()) throw s.invalid(P + "key-param", keyParam, "must name the query parameter that carries the lookup key");
        String rulesText = s.getText(P + "rate-limit-rules");
        RateLimitRules rules;
        try {
            rules = RateLimitRules.parse(rulesText);
        } catch (IllegalArgumentException e) {
            throw s.invalid(P + "rate-limit-rules", rulesText, e.getMessage());
        }
        ApiKeys keys = new ApiKeys(s, P, "sink API 'enrichment'");
        QuotaSpec quota = new QuotaSpec(headerNames(s, keys), QuotaWindows.read(keys), rules,
                s.getInt(P + "max-requests-per-second", 1, 100_000));
        return new EnrichmentSpec(keyField, keyParam, fields(s), quota);
    }

    /** {@code leadpipe.sink.enrichment.fields = name=/pointer, …}: what a profile takes from its vendor's answer. */
    private static Map<String, JsonPointer> fields(Settings s) {
        String text = s.getText(P + "fields");
        Map<String, JsonPointer> fields = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) continue;
            int eq = part.indexOf('=');
            String name = eq < 0 ? "" : part.substring(0, eq).trim();
            String pointer = eq < 0 ? "" : part.substring(eq + 1).trim();
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw s.invalid(P + "fields", text, "must be name=/json/pointer pairs separated by commas, e.g. sector=/industry, hq_country=/location/country");
            }
            String problem = JsonPointerSyntax.problem(pointer);
            if (problem != null) throw s.invalid(P + "fields", text, name + ": '" + pointer + "' " + problem);
            fields.put(name, JsonPointer.compile(pointer));
        }
        return fields;
    }

    /** leadpipe.sink.enrichment.headers.* (a profile sets them); else leadpipe.source.enrichment.headers.*, as before profiles. */
    private static RateLimitHeaderNames headerNames(Settings s, ApiKeys keys) {
        for (String k : s.asProperties().stringPropertyNames()) {
            if (k.startsWith(P + "headers.") && s.get(k) != null) return RateLimitHeaderNames.read(keys);
        }
        return RateLimitHeaderNames.read(ApiKeys.source(s, "enrichment"));
    }
}
