package io.leadpipe.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadpipe.job.FailureExplainer;
import io.leadpipe.job.JobFilters;
import io.leadpipe.paging.FetchedPage;
import io.leadpipe.paging.MalformedPageException;
import io.leadpipe.paging.Paginator;
import io.leadpipe.paging.PagingSpec;
import io.leadpipe.ratelimit.QuotaReading;
import io.leadpipe.ratelimit.QuotaWindows;
import io.leadpipe.ratelimit.RateLimitSnapshot;
import io.leadpipe.ratelimit.ApiQuota;
import io.leadpipe.secrets.Secrets;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.http.base.HttpOperationFailedException;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * `probe`: one request through the page fetch of a real pull ({@code direct:fetch-page}: the same request
 * building, pacing, credentials, static headers and page reading), nothing stored, and a report of what
 * leadpipe understood of the answer — and, when the records are not where the settings say, where the
 * answer's arrays are.
 */
public final class SourceProbe {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
    private static final int SUGGESTIONS = 8;

    private final PagingSpec source;
    private final ApiQuota quota;
    private final RequestRecorder recorder;
    private final String retries;
    private final String pacing;

    /**
     * @param retries what a pull retries and how (the retry policy in force)
     * @param pacing  the governor's floor, the Throttler's cap, the longest wait
     */
    /** The source's delta dialect, said with the request of --since. */
    private io.leadpipe.delta.DeltaSpec delta;

    public SourceProbe delta(io.leadpipe.delta.DeltaSpec delta) {
        this.delta = delta;
        return this;
    }

    public SourceProbe(PagingSpec source, ApiQuota quota, RequestRecorder recorder, String retries, String pacing) {
        this.source = source;
        this.quota = quota;
        this.recorder = recorder;
        this.retries = retries;
        this.pacing = pacing;
    }

    /** One request for the first page of {@code job} (or of the source alone: job null) with its filters. */
    public ProbeReport run(ProducerTemplate template, String job, String filters) {
        return run(template, job, filters, null);
    }

    /** The same, as a delta pull asks for what changed since {@code since} (null: a full pull's first page). */
    public ProbeReport run(ProducerTemplate template, String job, String filters, java.time.Instant since) {
        String label = job == null ? "probe" : job;
        Exchange ex = template.send("direct:fetch-page", e -> {
            e.setVariable("pull", new ProbePosition(label, source.name(), JobFilters.normalise(filters), since));
            e.setVariable("source", source.name());
            e.setVariable("jobId", label);
        });
        ProbeReport r = new ProbeReport("source " + source.name() + (job == null ? "" : ", job " + job
                + (filters == null || filters.isBlank() ? "" : " (filters " + filters + ")")));
        if (since != null) r.line("delta", delta == null || !delta.declared() ? "no delta declared (leadpipe.source." + source.name() + ".delta.in): the request carries no watermark"
                : delta.describe() + ", since " + since);
        request(ex, r);
        Answer answer = Answer.of(ex);
        List<String> answers = recorder.answers();
        if (answers.size() > 1) r.line("answers", String.join(", then ", answers) + " (the client renewed its token between them)");
        if (answer == null) {
            r.line("status", answers.isEmpty() ? "no answer" : answers.get(answers.size() - 1) + " (the last answer: the call failed on it)");
            r.fail(FailureExplainer.explain(ex.getException(), requestText(ex), source.name()));
            rules(r, null);
            return r;
        }
        r.line("status", answer.status + (answer.reason == null || answer.reason.isBlank() ? "" : " " + answer.reason)
                + ", " + (answer.contentType == null ? "no Content-Type" : "Content-Type " + answer.contentType));
        String location = answer.headers.get("Location");
        if (answer.status >= 300 && answer.status < 400 && location != null) {
            // leadpipe follows no redirect: where it points is usually the URL to configure (or a login page)
            r.line("location", Secrets.scrub(location) + " (not followed: if that is the API, set leadpipe.source." + source.name() + ".url to it)");
        }
        QuotaReading quota = this.quota.read(answer.headers, answer.status, answer.body);
        FetchedPage page = ex.getException() == null ? ex.getMessage().getBody(FetchedPage.class) : null;
        if (page != null) {
            page(page, r);
        } else {
            failure(ex, answer, quota, r);
        }
        quota(quota, r);
        rules(r, quota);
        return r;
    }

    private void request(Exchange ex, ProbeReport r) {
        RequestRecorder.Sent sent = recorder.last();
        r.line("request", sent != null ? sent.line() : requestText(ex) + " (not sent)");
        String request = requestText(ex);
        if (request != null && request.startsWith("POST ")) {
            int body = request.indexOf(' ', 5);
            if (body > 0) r.line("request body", request.substring(body + 1));
        }
        if (sent != null && !sent.headers().isEmpty()) r.line("headers sent", String.join("\n", sent.headers()));
    }

    private static String requestText(Exchange ex) {
        String request = ex.getVariable("request", String.class);
        return request == null ? null : Secrets.scrub(request);
    }

    private void page(FetchedPage page, ProbeReport r) {
        String where = source.recordsPointer().isEmpty() ? "the body itself (records-pointer empty)" : source.recordsPointer();
        r.line("records", page.records() + " at " + where + (source.fieldsPointer().isEmpty() ? "" : ", fields stored from " + source.fieldsPointer()));
        if (page.records() > 0) r.line("first id", page.ids().get(0) + " (at " + source.idPointer() + ")");
        r.line("next", next(page));
        r.line("total", page.apiTotal() != null ? page.apiTotal() + " (at " + source.totalPointer() + ")"
                : "not reported (nothing at " + source.totalPointer() + ")");
        // the API's cap per query: said before a pull meets it (a cut query, or a pull that would stop there)
        if (source.cut() != null) r.line("query cut", source.cut().describe(source.maxResults()));
        else if (source.maxResults() > 0) r.line("query cap", "at most " + source.maxResults() + " records per query (max-results), and no cut.pointer: a pull stops at that cap");
        if (page.records() == 0) {
            r.ok("the records array is at " + where + " but empty: the id pointer could not be checked (are the filters too narrow?)");
        } else {
            r.ok("a full pull can work: " + page.records() + (page.last() ? " records, ids at " + source.idPointer() + ", and this page is the last"
                    : " records per page, ids at " + source.idPointer() + ", paging on by " + source.paging()));
        }
    }

    /** The next position, and what the next request would carry. */
    private String next(FetchedPage page) {
        if (page.last()) {
            String hint = page.records() >= source.pageSize()
                    ? " — but the page is full: if there are more records, check the " + source.paging() + " settings" : "";
            return "none: this page is the last (paging " + source.paging() + ")" + hint;
        }
        Paginator.Call call = source.paginator().call(page.next());
        if (call.url() != null) return "GET " + Secrets.scrub(call.url()) + " (paging " + source.paging() + ")";
        StringJoiner params = new StringJoiner("&");
        call.params().forEach((k, v) -> params.add(k + "=" + v));
        return Secrets.scrub(params.toString()) + " (paging " + source.paging() + ")";
    }

    private void failure(Exchange ex, Answer answer, QuotaReading quota, ProbeReport r) {
        Throwable failure = ex.getException();
        HttpOperationFailedException http = find(failure, HttpOperationFailedException.class);
        if (http != null) {
            int status = http.getStatusCode();
            if (status == 429 || quota.matchedRule().isPresent()) {
                String wait = quota.ruleWait().or(quota::retryAfter).map(SourceProbe::duration).map(d -> "; a pull would wait " + d + " and retry").orElse("; a pull would back off and retry");
                r.fail("rate limited: HTTP " + status + (quota.matchedRule().map(rule -> " (rate-limit rule '" + rule + "')").orElse("")) + wait
                        + " — probe again later");
            } else if (status >= 500) {
                r.fail("HTTP " + status + " for " + requestText(ex) + ": the API is failing; a pull would retry it — probe again");
            } else {
                r.fail(FailureExplainer.explain(http, requestText(ex), source.name()));
            }
            return;
        }
        String reason = FailureExplainer.explain(failure, requestText(ex), source.name());
        JsonNode body = answer.json;
        if (body != null && find(failure, MalformedPageException.class) != null) {
            JsonNode records = records(body);
            if (records == null) {
                r.line("records", "none: no records array at " + (source.recordsPointer().isEmpty() ? "the body itself" : source.recordsPointer())
                        + " (leadpipe.source." + source.name() + ".records-pointer)");
                List<JsonArrays.Found> arrays = JsonArrays.in(body);
                r.line("arrays found", arrays.isEmpty() ? "none: the answer holds no array"
                        : arrays.stream().limit(SUGGESTIONS).map(JsonArrays.Found::shown).collect(Collectors.joining("\n")));
                if (!arrays.isEmpty()) reason += " — try records-pointer = " + arrays.get(0).pointer();
            } else {
                r.line("records", records.size() + " at " + (source.recordsPointer().isEmpty() ? "the body itself" : source.recordsPointer()));
                if (records.size() > 0) {
                    List<String> ids = JsonArrays.idCandidates(records.get(0));
                    r.line("first record", "no id at " + source.idPointer() + (ids.isEmpty() ? "; it has no field named like an id"
                            : "; fields that look like one: " + String.join(", ", ids)));
                }
            }
        }
        r.fail(reason);
    }

    /** Where the records are by the settings, for a page the pull refused (null: no array there). */
    private JsonNode records(JsonNode body) {
        JsonNode records = source.recordsPointer().isEmpty() ? body : body.at(source.recordsPointer());
        return records != null && records.isArray() ? records : null;
    }

    private void quota(QuotaReading q, ProbeReport r) {
        RateLimitSnapshot s = q.snapshot();
        if (q.style() == null) {
            r.line("quota", "no X-RateLimit or IETF RateLimit headers in the answer");
        } else {
            StringBuilder b = new StringBuilder();
            b.append(s.remaining() == null ? "?" : s.remaining()).append(" of ").append(s.limit() == null ? "?" : s.limit()).append(" left");
            if (s.resetAt() != null) b.append(", resets in ").append(duration(Duration.between(q.at(), s.resetAt()))).append(" (").append(TIME.format(s.resetAt())).append(")");
            else b.append(", no reset time");
            r.line("quota", b + "\nstyle " + q.style());
        }
        if (!q.windowNames().isEmpty()) {
            StringBuilder b = new StringBuilder("configured: " + String.join(", ", q.windowNames()));
            for (QuotaWindows.Reading w : q.windows()) {
                b.append("\n").append(w.window()).append(": ").append(w.remaining() == null ? "?" : w.remaining()).append(" of ")
                        .append(w.limit() == null ? "?" : w.limit()).append(" left per ").append(duration(w.length())).append(" (rolling)");
            }
            if (q.windows().isEmpty()) b.append("\nnone of them in this answer");
            r.line("quota windows", b.toString());
        }
        q.retryAfter().ifPresent(d -> r.line("retry-after", duration(d)));
        if (!q.unreadHeaders().isEmpty()) {
            r.line("not read", String.join(", ", q.unreadHeaders()) + "\n(headers that look like quota signals but no setting of source '" + source.name()
                    + "' reads: see leadpipe.source." + source.name() + ".headers.* and .quota.*)");
        }
    }

    private void rules(ProbeReport r, QuotaReading q) {
        List<String> rules = q == null ? List.of() : q.rules();
        r.line("rate rules", rules.isEmpty() ? "none: only 429 means slow down (leadpipe.source." + source.name() + ".rate-limit-rules)" : String.join("\n", rules));
        r.line("retries", retries);
        r.line("pacing", pacing);
    }

    static String duration(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (d.toMillis() < 10_000) return String.format(java.util.Locale.ROOT, "%.1f s", Math.max(0, d.toMillis()) / 1000.0);
        if (s < 120) return s + " s";
        if (s < 7200) return (s / 60) + " min " + (s % 60) + " s";
        if (s < 172_800) return (s / 3600) + " h " + (s % 3600 / 60) + " min";
        return (s / 86_400) + " days";
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause()) if (type.isInstance(c)) return type.cast(c);
        return null;
    }

    /** The answer, however the fetch ended: status, headers, content type and (if it was JSON) the body. */
    private record Answer(int status, String reason, Map<String, String> headers, String contentType, String body, JsonNode json) {

        static Answer of(Exchange ex) {
            HttpOperationFailedException http = find(ex.getException(), HttpOperationFailedException.class);
            if (http != null) {
                Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                if (http.getResponseHeaders() != null) h.putAll(http.getResponseHeaders());
                JsonNode json = null;
                try {
                    json = http.getResponseBody() == null ? null : JSON.readTree(http.getResponseBody());
                } catch (Exception notJson) {
                    // shown as it is, not parsed
                }
                return new Answer(http.getStatusCode(), http.getStatusText(), h, h.get("Content-Type"), http.getResponseBody(), json);
            }
            Integer status = ex.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
            if (status == null) return null; // no answer at all: the connection failed
            Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            ex.getMessage().getHeaders().forEach((k, v) -> {
                if (v != null && !k.startsWith("Camel")) h.put(k, v.toString());
            });
            Object body = ex.getMessage().getBody();
            return new Answer(status, ex.getMessage().getHeader(Exchange.HTTP_RESPONSE_TEXT, String.class), h,
                    ex.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class), null, body instanceof JsonNode j ? j : null);
        }
    }
}
