package io.leadpipe.delta;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadpipe.config.ApiKeys;
import io.leadpipe.config.ConfigException;
import io.leadpipe.config.JsonPointerSyntax;
import io.leadpipe.config.Settings;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * The delta dialect of one source, {@code leadpipe.source.<name>.delta.*}: where the watermark goes in a
 * request (a query parameter, a header, a field of the JSON body, or a {@code {since}} placeholder in the
 * URL's own query), how it is written (format and template), which field of a record says when it changed
 * (the data watermark), the overlap, how deletions show, and where the API counts the delta query's records.
 * A job only says it is incremental; this says how its vendor is asked for "what changed since".
 *
 * @param where            where the watermark goes; {@link Where#UNDECLARED} = no delta.* keys set
 * @param name             the query parameter, header name or body JSON pointer (null for url and none)
 * @param format           how the watermark is written
 * @param template         the value sent, with {since} standing for the formatted watermark ({since}..inf, >= {since})
 * @param updatedAtPointer the record's updated-at (on the record as the API sends it); null = records carry none
 * @param overlap          how far before the watermark a delta looks again (clock skew, edits in flight)
 * @param covers           what the vendor's filter catches: records changed, or only records created
 * @param deletedPointer   a record's deleted flag (/archived, /IsDeleted), or null
 * @param deletedValue     the flag's value on a deleted record (true)
 * @param deletedParam     name=value of a separate listing of deleted records (HubSpot archived=true), or null
 * @param countPointer     the API's count of the records matching the delta query, or null
 * @param problem          why an incremental job cannot use this delta ({since} missing from the URL), or null
 * @param untilParam       in = query: the parameter of the range's upper bound (exclusive; updated_before), or null —
 *                         with it a job can be cut by time ({@code slices = auto})
 * @param historyDays      how far back the API answers a "changed since" query (Pipedrive's recents: 30); 0 = no limit
 */
public record DeltaSpec(String source, Where where, String name, WatermarkFormat format, String template,
                        String updatedAtPointer, Duration overlap, Covers covers, String deletedPointer,
                        String deletedValue, String deletedParam, String countPointer, String problem, String untilParam, int historyDays) {

    public static final String SINCE = "{since}";
    /** What a full pull sends where the watermark is part of the query itself (a SOQL WHERE): the start of time. */
    public static final Instant BEGINNING = Instant.EPOCH;

    public enum Where {
        /** No delta.* keys: an incremental job sends its own parameter (the job template's incremental). */
        UNDECLARED,
        /** The vendor has no "changed since" filter: every run is a full pull, and the run says so. */
        NONE, QUERY, HEADER, BODY, URL;

        String setting() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum Covers { UPDATED, CREATED }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads and checks the source's delta keys; one clear error per bad key, before any request. */
    public static DeltaSpec from(Settings s, String source) {
        String p = "leadpipe.source." + source + ".delta.";
        ApiKeys k = ApiKeys.source(s, source); // the declared defaults (config.SourceKeys), written once
        Duration overlap = Duration.ofSeconds(s.getLong(p + "overlap-seconds",
                s.getLong("leadpipe.incremental.overlap-seconds", 0, 86_400 * 30), 0, 86_400 * 30));
        String whereText = s.get(p + "in");
        Where where;
        if (whereText == null) {
            where = Where.UNDECLARED;
        } else {
            try {
                where = Where.valueOf(whereText.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                where = null;
            }
            if (where == null || where == Where.UNDECLARED) throw s.invalid(p + "in", whereText, "must be one of none, query, header, body, url");
        }
        String param = s.get(p + "param");
        String header = s.get(p + "header");
        String bodyPointer = s.get(p + "body-pointer");
        String name = switch (where) {
            case QUERY -> required(s, p, "param", param, "query");
            case HEADER -> required(s, p, "header", header, "header");
            case BODY -> pointer(s, p + "body-pointer", required(s, p, "body-pointer", bodyPointer, "body"), true);
            default -> null;
        };
        // a key that does not belong to the placement chosen is a mistake, not something to ignore
        if (where != Where.QUERY && param != null) throw misplaced(s, p, "param", param, where);
        if (where != Where.HEADER && header != null) throw misplaced(s, p, "header", header, where);
        if (where != Where.BODY && bodyPointer != null) throw misplaced(s, p, "body-pointer", bodyPointer, where);
        String untilParam = s.get(p + "until-param");
        if (where != Where.QUERY && untilParam != null) throw misplaced(s, p, "until-param", untilParam, where);
        if (untilParam != null && untilParam.strip().equals(name)) throw s.invalid(p + "until-param", untilParam, "is the lower bound's parameter too (delta.param)");
        if (where == Where.BODY && !"POST".equalsIgnoreCase(k.text("method"))) {
            throw s.invalid(p + "in", whereText, "puts the watermark in the JSON body, but leadpipe.source." + source + ".method is not POST");
        }
        // a profile declares the SOQL dialect for every user; only an incremental job needs {since} in the URL
        String problem = null;
        if (where == Where.URL) {
            String url = s.get("leadpipe.source." + source + ".url", "");
            int q = url.indexOf('?');
            if (q < 0 || !DeltaRequest.hasPlaceholder(url.substring(q))) {
                problem = p + "in = url puts the watermark in the URL's own query, but leadpipe.source." + source
                        + ".url has no {since} in its query (e.g. ?q=SELECT+Id+FROM+Contact+WHERE+SystemModstamp+%3E+{since})";
            }
        }
        String formatText = k.text("delta.format");
        WatermarkFormat format = WatermarkFormat.named(formatText);
        if (format == null) throw s.invalid(p + "format", formatText, "must be one of " + WatermarkFormat.names());
        String template = k.text("delta.template");
        if (!template.contains(SINCE)) throw s.invalid(p + "template", template, "must contain {since}, where the watermark goes (e.g. {since}..inf)");
        if (where == Where.BODY && DeltaRequest.looksLikeJson(template)) {
            try {
                JSON.readTree(template.replace(SINCE, format.numeric() ? "0" : "2026-01-01T00:00:00Z"));
            } catch (Exception e) {
                throw s.invalid(p + "template", template, "starts like JSON but is not valid JSON once {since} is filled in"
                        + (format.numeric() ? "" : " (a text watermark needs quotes: \"{since}\")"));
            }
        }
        String coversText = k.text("delta.covers");
        Covers covers = switch (coversText.strip().toLowerCase(Locale.ROOT)) {
            case "updated" -> Covers.UPDATED;
            case "created" -> Covers.CREATED;
            default -> throw s.invalid(p + "covers", coversText, "must be updated (the filter finds changed records) or created (only new ones)");
        };
        String deletedParam = s.get(p + "deleted-param");
        if (deletedParam != null && (deletedParam.indexOf('=') <= 0 || deletedParam.contains("&"))) {
            throw s.invalid(p + "deleted-param", deletedParam, "must be one name=value (e.g. archived=true)");
        }
        String deletedPointer = pointer(s, p + "deleted-pointer", s.get(p + "deleted-pointer"), false);
        String deletedValue = k.text("delta.deleted-value");
        return new DeltaSpec(source, where, name, format, template,
                pointer(s, p + "updated-at-pointer", s.get(p + "updated-at-pointer"), false), overlap, covers,
                deletedPointer, deletedValue, deletedParam, pointer(s, p + "count-pointer", s.get(p + "count-pointer"), false), problem,
                untilParam == null ? null : untilParam.strip(), k.integer("delta.history-days"));
    }

    private static String required(Settings s, String p, String key, String value, String where) {
        if (value == null) throw new ConfigException(p + "in = " + where + " needs " + p + key + " (" + switch (key) {
            case "param" -> "the query parameter, e.g. updated_since";
            case "header" -> "the header, e.g. If-Modified-Since";
            default -> "the JSON pointer of the body field, e.g. /filterGroups/0/filters/-";
        } + ")");
        return value.strip();
    }

    private static ConfigException misplaced(Settings s, String p, String key, String value, Where where) {
        return s.invalid(p + key, value, "is set but " + p + "in is " + (where == Where.UNDECLARED ? "not set" : where.setting())
                + ": " + key + " is read only with in = " + switch (key) {
            case "param", "until-param" -> "query";
            case "header" -> "header";
            default -> "body";
        });
    }

    /**
     * A JSON pointer setting, or null when unset. {@code append}: the last token may be "-", the end of an
     * array (a filter added to HubSpot's filters list).
     */
    private static String pointer(Settings s, String key, String value, boolean append) {
        if (value == null) return null;
        String v = value.strip();
        String problem = JsonPointerSyntax.problem(v);
        if (problem != null) throw s.invalid(key, v, problem);
        if (!append && (v.endsWith("/-") || v.contains("/-/"))) throw s.invalid(key, v, "cannot name the end of an array (-) here");
        return v;
    }

    /** Whether the source declares how its vendor is asked for a delta (delta.in is set). */
    public boolean declared() {
        return where != Where.UNDECLARED;
    }

    /** Whether a delta request differs from a full one (the vendor has a filter leadpipe can send). */
    public boolean filters() {
        return where == Where.QUERY || where == Where.HEADER || where == Where.BODY || where == Where.URL;
    }

    /** The value sent for a watermark: the template with {since} replaced by the formatted instant. */
    public String value(Instant since) {
        return template.replace(SINCE, format.format(since));
    }

    /**
     * Whether a request can ask for a range of time, lower bound inclusive and upper exclusive: the watermark's
     * parameter and a second one for the upper bound (delta.until-param). {@code slices = auto} needs it.
     */
    public boolean timeRange() {
        return where == Where.QUERY && untilParam != null;
    }

    /**
     * The filter asking for records changed in [{@code from}, {@code until}), encoded as a query; a null bound
     * is left out (the range is open on that side).
     */
    public String rangeFilter(Instant from, Instant until) {
        if (!timeRange()) throw new IllegalStateException("source " + source + " declares no time range (delta.in = query with delta.until-param)");
        StringBuilder b = new StringBuilder();
        if (from != null) b.append(encode(name)).append('=').append(encode(value(from)));
        if (until != null) b.append(b.length() == 0 ? "" : "&").append(encode(untilParam)).append('=').append(encode(format.format(until)));
        return b.toString();
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** What the watermark of the next delta is read from, said in the run report. */
    public boolean fromData() {
        return updatedAtPointer != null;
    }

    /**
     * Every setting that changes which records a delta query returns, in one line: a job whose delta was
     * pulled under other settings is refused (pointing to reset), like a changed filter.
     */
    public String fingerprint() {
        return String.join("|", where.setting(), String.valueOf(name), format.setting(), template, String.valueOf(updatedAtPointer),
                covers.name(), String.valueOf(deletedPointer), deletedValue, String.valueOf(deletedParam), String.valueOf(countPointer));
    }

    /** The source settings that decide which records a pull returns (paging, URL, body), with the delta's. */
    private static final String[] QUERY_SETTINGS = {"url", "method", "body", "body-file", "paging", "page-size", "page-size-param",
            "cursor-param", "next-cursor-pointer", "next-cursor-header", "next-url-pointer", "starting-after-param", "has-more-pointer",
            "next-offset-pointer", "offset-param", "page-param", "first-page", "records-pointer", "fields-pointer", "id-pointer"};

    /**
     * A digest of everything that decides what a delta job's pulls return — its source's URL, method, body and
     * paging, and this delta — so a job pulled under other settings is refused (pointing to reset), like a
     * changed filter, instead of going on from a position or watermark that means something else now.
     */
    public String settingsFingerprint(Settings s) {
        StringBuilder b = new StringBuilder(fingerprint());
        for (String key : QUERY_SETTINGS) b.append('\n').append(key).append('=').append(s.getAllowingEmpty("leadpipe.source." + source + "." + key, ""));
        return io.leadpipe.encoding.Sha256.hex(b.toString());
    }

    /** One line for probe, status and the start of a run: how this source is asked for what changed. */
    public String describe() {
        return switch (where) {
            case UNDECLARED -> "no delta declared (leadpipe.source." + source + ".delta.in): an incremental job sends its own parameter";
            case NONE -> "the API has no \"changed since\" filter: every run is a full pull";
            case QUERY -> "query " + name + "=" + template + (untilParam == null ? "" : ", up to " + untilParam + " (exclusive)") + " (" + format.setting() + ")";
            case HEADER -> "header " + name + ": " + template + " (" + format.setting() + ")";
            case BODY -> "body " + name + " = " + template + " (" + format.setting() + ")";
            case URL -> "{since} in the URL's query = " + template + " (" + format.setting() + ")";
        } + (covers == Covers.CREATED ? "; new records only — changes to existing ones are not seen" : "");
    }
}
