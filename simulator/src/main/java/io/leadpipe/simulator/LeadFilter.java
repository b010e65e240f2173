package io.leadpipe.simulator;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/**
 * The filters the simulated API understands, as query parameters: industry and country (exact,
 * case-insensitive); a range on each record's {@code updated_at}, {@code updated_since} (inclusive) and
 * {@code updated_before} (exclusive), ISO-8601 instants; and Stripe's range on {@code created} (epoch
 * seconds), {@code created[gte]} (inclusive) and {@code created[lt]} (exclusive).
 */
record LeadFilter(String industry, String country, Instant updatedSince, Instant updatedBefore, Long createdGte, Long createdLt) {

    LeadFilter(String industry, String country) {
        this(industry, country, null, null, null, null);
    }

    boolean isEmpty() {
        return industry == null && country == null && updatedSince == null && updatedBefore == null && createdGte == null && createdLt == null;
    }

    /** The filters as query parameters to append ("&industry=…"), for next-page URLs. */
    String query() {
        StringBuilder b = new StringBuilder();
        if (industry != null) b.append("&industry=").append(URLEncoder.encode(industry, StandardCharsets.UTF_8));
        if (country != null) b.append("&country=").append(URLEncoder.encode(country, StandardCharsets.UTF_8));
        if (updatedSince != null) b.append("&updated_since=").append(updatedSince);
        if (updatedBefore != null) b.append("&updated_before=").append(updatedBefore);
        if (createdGte != null) b.append("&created%5Bgte%5D=").append(createdGte);
        if (createdLt != null) b.append("&created%5Blt%5D=").append(createdLt);
        return b.toString();
    }

    String key() {
        return (industry == null ? "" : industry.toLowerCase(Locale.ROOT)) + "|" + (country == null ? "" : country.toLowerCase(Locale.ROOT))
                + (updatedSince == null ? "" : "|" + updatedSince) + (updatedBefore == null ? "" : "|<" + updatedBefore)
                + (createdGte == null ? "" : "|c>=" + createdGte) + (createdLt == null ? "" : "|c<" + createdLt);
    }

    boolean matches(LeadDataset data, int index) {
        Instant updated = updatedSince == null && updatedBefore == null ? null : data.updatedAt(index);
        long created = data.createdAt(index);
        return (industry == null || industry.equalsIgnoreCase(data.industryOf(index)))
                && (country == null || country.equalsIgnoreCase(data.countryOf(index)))
                && (updatedSince == null || !updated.isBefore(updatedSince))
                && (updatedBefore == null || updated.isBefore(updatedBefore))
                && (createdGte == null || created >= createdGte)
                && (createdLt == null || created < createdLt);
    }
}
