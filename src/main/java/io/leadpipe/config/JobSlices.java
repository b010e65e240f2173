package io.leadpipe.config;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A job's {@code slices} parameter: the independent pulls a job is cut into, each one filter added to the
 * job's own filters. Two forms:
 * <ul>
 *   <li>filter values, separated by {@code |}: {@code country=DE|country=FR|country=US} (each one written like
 *   the job's filters, {@code &} joining several parameters); the slice is named by its values ({@code DE});</li>
 *   <li>a time range cut into steps on the API's date filters, lower bound inclusive, upper exclusive:
 *   {@code updated_since..updated_before from 2026-01-01 to 2026-07-01 step 7d}; the bounds are sent in the
 *   form {@code from} is written in — an ISO-8601 instant, a date, or epoch seconds ({@code created[gte]..created[lt]
 *   from 1767225600 to 1769904000 step 1d}, Stripe's form); the step is {@code Ns, Nm, Nh, Nd, Nw} or ISO-8601
 *   ({@code P1M}, {@code PT6H}); the slice is named by its lower bound.</li>
 * </ul>
 */
public final class JobSlices {

    /** One slice: its name (the checkpoint row is {@code <job>.<name>}) and the filter it adds, encoded as a query. */
    public record Slice(String name, String filter) {
        /** The slice's own job id, which keys its checkpoint row, lease and report. */
        public String jobId(String job) {
            return job + "." + name;
        }
    }

    /** More slices than this is a mistake in the step, not a plan. */
    public static final int MAX_SLICES = 1000;

    private static final Pattern RANGE = Pattern.compile(
            "\\s*(\\S+?)\\.\\.(\\S+)\\s+from\\s+(\\S+)\\s+to\\s+(\\S+)\\s+step\\s+(\\S+)\\s*");
    private static final Pattern STEP = Pattern.compile("(\\d+)\\s*([smhdw])");
    private static final Pattern NAME_CHARS = Pattern.compile("[^A-Za-z0-9._-]");
    private static final DateTimeFormatter COMPACT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private JobSlices() {
    }

    /**
     * The slices of a job; none for an empty spec. {@code jobFilters} are the job's own: a slice may not set a
     * parameter they set. Throws IllegalArgumentException saying what is wrong.
     */
    public static List<Slice> parse(String spec, String jobFilters) {
        if (spec == null || spec.isBlank()) return List.of();
        if (isAuto(spec)) {
            autoTo(spec); // a bad bound is said now
            return List.of(); // cut at the job's first run, from the API's counts (job.AutoSlices)
        }
        Matcher range = RANGE.matcher(spec);
        List<Slice> slices = range.matches() ? timeRange(range) : values(spec);
        if (slices.size() > MAX_SLICES) throw new IllegalArgumentException(slices.size() + " slices, more than " + MAX_SLICES + ": use a longer step");
        Set<String> names = new LinkedHashSet<>();
        Set<String> own = parameterNames(jobFilters);
        for (Slice s : slices) {
            if (!names.add(s.name())) throw new IllegalArgumentException("two slices are named '" + s.name() + "': give them different values");
            for (String p : parameterNames(s.filter())) {
                if (own.contains(p)) throw new IllegalArgumentException("slice '" + s.name() + "' sets " + p + ", which the job's filters set already");
            }
        }
        return slices;
    }

    private static final Pattern AUTO = Pattern.compile("\\s*auto(?:\\s+from\\s+(\\S+))?(?:\\s+to\\s+(\\S+))?\\s*", Pattern.CASE_INSENSITIVE);

    /** {@code auto}, {@code auto from FROM} or {@code auto from FROM to TO}: cut by time on the source's time filter, sized from the API's counts. */
    public static boolean isAuto(String spec) {
        return spec != null && AUTO.matcher(spec).matches();
    }

    /** The lower end of an auto-sliced job's range ({@code auto from 2026-01-01}), or null: the start of time. */
    public static Instant autoFrom(String spec) {
        Matcher m = AUTO.matcher(spec);
        if (!m.matches() || m.group(1) == null) return null;
        return Bound.parse(m.group(1), "from").at.toInstant();
    }

    /** The upper end of the range an auto-sliced job is sized over ({@code … to 2026-07-01}), or null: now. Its last slice stays open above. */
    public static Instant autoTo(String spec) {
        Matcher m = AUTO.matcher(spec);
        Instant from = autoFrom(spec);
        if (!m.matches() || m.group(2) == null) return null;
        Instant to = Bound.parse(m.group(2), "to").at.toInstant();
        if (from != null && !from.isBefore(to)) throw new IllegalArgumentException("from " + m.group(1) + " must be before to " + m.group(2));
        return to;
    }

    /** The parameters a time-range slice spec sets (its lower and upper bound), or none for value slices. */
    public static List<String> rangeParameters(String spec) {
        Matcher range = spec == null ? null : RANGE.matcher(spec);
        return range != null && range.matches() ? List.of(range.group(1), range.group(2)) : List.of();
    }

    /** The job's filters and the slice's, as one query ("industry=Software&country=DE"). */
    public static String filtersOf(String jobFilters, Slice slice) {
        if (slice.filter().isEmpty()) return jobFilters == null ? "" : jobFilters;
        return jobFilters == null || jobFilters.isBlank() ? slice.filter() : jobFilters + "&" + slice.filter();
    }

    private static List<Slice> values(String spec) {
        List<Slice> slices = new ArrayList<>();
        for (String entry : spec.split("\\|")) {
            String filter = entry.strip();
            if (filter.isEmpty()) throw new IllegalArgumentException("an empty slice in '" + spec + "' (slices are separated by |)");
            List<String> values = new ArrayList<>();
            StringBuilder encoded = new StringBuilder();
            for (String pair : filter.split("&")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("slice '" + filter + "' is not name=value (write filter values as country=DE|country=FR, "
                            + "or a time range as updated_since..updated_before from … to … step …)");
                }
                String name = decode(pair.substring(0, eq)).strip();
                String value = decode(pair.substring(eq + 1)).strip();
                values.add(value);
                encoded.append(encoded.length() == 0 ? "" : "&").append(encode(name)).append('=').append(encode(value));
            }
            String name = NAME_CHARS.matcher(String.join("-", values)).replaceAll("_");
            if (name.isEmpty() || name.chars().allMatch(ch -> ch == '.' || ch == '_' || ch == '-')) {
                throw new IllegalArgumentException("slice '" + filter + "' has no value to name it by");
            }
            slices.add(new Slice(name, encoded.toString()));
        }
        return slices;
    }

    private static List<Slice> timeRange(Matcher m) {
        String lower = m.group(1);
        String upper = m.group(2);
        Bound from = Bound.parse(m.group(3), "from");
        Bound to = Bound.parse(m.group(4), "to");
        if (from.kind != to.kind) throw new IllegalArgumentException("from " + m.group(3) + " and to " + m.group(4) + " must be written the same way");
        if (!from.at.isBefore(to.at)) throw new IllegalArgumentException("from " + m.group(3) + " must be before to " + m.group(4));
        java.util.function.BiFunction<ZonedDateTime, Integer, ZonedDateTime> step = step(m.group(5), from.kind);
        List<Slice> slices = new ArrayList<>();
        // each bound is from + k steps (not the previous bound + 1 step): month steps from the 31st do not drift
        for (ZonedDateTime start = from.at; start.isBefore(to.at); ) {
            ZonedDateTime next = step.apply(from.at, slices.size() + 1);
            ZonedDateTime end = next.isAfter(to.at) ? to.at : next;
            slices.add(new Slice(from.kind.name(start), encode(lower) + "=" + encode(from.kind.format(start)) + "&" + encode(upper) + "=" + encode(from.kind.format(end))));
            if (slices.size() > MAX_SLICES) break;
            start = next;
        }
        return slices;
    }

    private static java.util.function.BiFunction<ZonedDateTime, Integer, ZonedDateTime> step(String text, Kind kind) {
        Matcher short_ = STEP.matcher(text.toLowerCase(Locale.ROOT));
        Duration duration = null;
        Period period = null;
        try {
            if (short_.matches()) {
                long n = Long.parseLong(short_.group(1));
                switch (short_.group(2)) {
                    case "s" -> duration = Duration.ofSeconds(n);
                    case "m" -> duration = Duration.ofMinutes(n);
                    case "h" -> duration = Duration.ofHours(n);
                    case "d" -> period = Period.ofDays(Math.toIntExact(n));
                    default -> period = Period.ofWeeks(Math.toIntExact(n));
                }
            } else if (text.toUpperCase(Locale.ROOT).contains("T")) {
                duration = Duration.parse(text.toUpperCase(Locale.ROOT));
            } else {
                period = Period.parse(text.toUpperCase(Locale.ROOT));
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException("step '" + text + "' is not a duration (30m, 6h, 7d, 2w, P1M, PT6H)");
        }
        if ((duration != null && (duration.isZero() || duration.isNegative())) || (period != null && (period.isZero() || period.isNegative()))) {
            throw new IllegalArgumentException("step '" + text + "' must be positive");
        }
        if (kind == Kind.DATE && duration != null && duration.toSeconds() % 86_400 != 0) {
            throw new IllegalArgumentException("step '" + text + "' is not whole days, but from and to are dates");
        }
        Duration d = duration;
        Period p = period;
        return (at, k) -> d != null ? at.plus(d.multipliedBy(k)) : at.plus(p.multipliedBy(k));
    }

    /** How the bounds are written, and so sent: an ISO-8601 instant, a date, or epoch seconds. */
    private enum Kind {
        INSTANT, DATE, EPOCH_SECONDS;

        String format(ZonedDateTime at) {
            return switch (this) {
                case INSTANT -> DateTimeFormatter.ISO_INSTANT.format(at.toInstant());
                case DATE -> at.toLocalDate().toString();
                case EPOCH_SECONDS -> Long.toString(at.toEpochSecond());
            };
        }

        String name(ZonedDateTime at) {
            return this == INSTANT ? COMPACT.format(at.toInstant()) : format(at);
        }
    }

    private record Bound(Kind kind, ZonedDateTime at) {
        static Bound parse(String text, String which) {
            try {
                if (text.matches("\\d{1,12}")) return new Bound(Kind.EPOCH_SECONDS, Instant.ofEpochSecond(Long.parseLong(text)).atZone(ZoneOffset.UTC));
                if (text.matches("\\d{4}-\\d{2}-\\d{2}")) return new Bound(Kind.DATE, LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC));
                return new Bound(Kind.INSTANT, Instant.parse(text).atZone(ZoneOffset.UTC));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(which + " '" + text + "' is not an ISO-8601 instant (2026-01-01T00:00:00Z), a date (2026-01-01) or epoch seconds");
            }
        }
    }

    private static Set<String> parameterNames(String query) {
        Set<String> names = new LinkedHashSet<>();
        if (query == null) return names;
        for (String pair : query.split("&")) {
            if (pair.isBlank()) continue;
            int eq = pair.indexOf('=');
            names.add(decode(eq < 0 ? pair : pair.substring(0, eq)).strip());
        }
        return names;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
