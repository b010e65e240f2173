package io.leadpipe.simulator;

import java.util.Locale;

/** The filters the simulated API understands, as query parameters: industry and country (exact, case-insensitive). */
record LeadFilter(String industry, String country, java.time.Instant updatedSince) {

    LeadFilter(String industry, String country) {
        this(industry, country, null);
    }

    static LeadFilter of(QueryString q) {
        return new LeadFilter(blankToNull(q.first("industry")), blankToNull(q.first("country")));
    }

    boolean isEmpty() {
        return industry == null && country == null && updatedSince == null;
    }

    /** The filters as query parameters to append ("&industry=…"), for next-page URLs. */
    String query() {
        StringBuilder b = new StringBuilder();
        if (industry != null) b.append("&industry=").append(java.net.URLEncoder.encode(industry, java.nio.charset.StandardCharsets.UTF_8));
        if (country != null) b.append("&country=").append(java.net.URLEncoder.encode(country, java.nio.charset.StandardCharsets.UTF_8));
        if (updatedSince != null) b.append("&updated_since=").append(updatedSince);
        return b.toString();
    }

    String key() {
        return (industry == null ? "" : industry.toLowerCase(Locale.ROOT)) + "|" + (country == null ? "" : country.toLowerCase(Locale.ROOT))
                + (updatedSince == null ? "" : "|" + updatedSince);
    }

    boolean matches(LeadDataset data, int index) {
        return (industry == null || industry.equalsIgnoreCase(data.industryOf(index)))
                && (country == null || country.equalsIgnoreCase(data.countryOf(index)))
                && (updatedSince == null || !data.updatedAt(index).isBefore(updatedSince));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
