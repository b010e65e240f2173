package io.leadpipe.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Which answers besides 429 mean "slow down", per source ({@code leadpipe.source.<name>.rate-limit-rules}):
 * rules separated by {@code ;}, each a status plus a header condition and/or a body match, and how long
 * to wait — e.g. GitHub's {@code status=403 header=X-RateLimit-Remaining:0 wait=reset}, its secondary
 * limit {@code status=403 header=Retry-After wait=retry-after}, Salesforce's daily quota
 * {@code status=403 body=REQUEST_LIMIT_EXCEEDED wait=24h}. An answer no rule matches keeps its meaning:
 * any other 4xx fails the job at once.
 */
public final class RateLimitRules {

    /** How long a matched answer makes us wait. */
    enum WaitKind { RESET, RETRY_AFTER, FIXED }

    /**
     * One rule. {@code headerValue} null: the header only has to be present.
     */
    public record Rule(String text, Set<Integer> statuses, String header, String headerValue, String body, WaitKind waitKind, Duration fixed) {

        boolean matches(int status, Function<String, String> headers, String responseBody) {
            if (!statuses.contains(status)) return false;
            if (header != null) {
                String v = headers.apply(header);
                if (v == null || (headerValue != null && !headerValue.equals(v.trim()))) return false;
            }
            return body == null || (responseBody != null && responseBody.contains(body));
        }
    }

    private final List<Rule> rules;

    private RateLimitRules(List<Rule> rules) {
        this.rules = rules;
    }

    public static RateLimitRules none() {
        return new RateLimitRules(List.of());
    }

    /** Parses the setting; a rule that cannot be read throws IllegalArgumentException saying why. */
    public static RateLimitRules parse(String setting) {
        List<Rule> rules = new ArrayList<>();
        if (setting == null || setting.isBlank()) return none();
        for (String text : setting.split(";")) {
            if (text.isBlank()) continue;
            rules.add(rule(text.trim()));
        }
        return new RateLimitRules(List.copyOf(rules));
    }

    private static Rule rule(String text) {
        Set<Integer> statuses = new LinkedHashSet<>();
        String header = null;
        String headerValue = null;
        String body = null;
        WaitKind kind = null;
        Duration fixed = null;
        for (String term : text.split("\\s+")) {
            int eq = term.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("'" + term + "' in rule '" + text + "' is not name=value");
            String name = term.substring(0, eq).toLowerCase(Locale.ROOT);
            String value = term.substring(eq + 1);
            switch (name) {
                case "status" -> {
                    for (String code : value.split(",")) {
                        try {
                            statuses.add(Integer.parseInt(code.trim()));
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("status '" + code + "' in rule '" + text + "' is not a number");
                        }
                    }
                }
                case "header" -> {
                    int colon = value.indexOf(':');
                    header = colon < 0 ? value : value.substring(0, colon);
                    headerValue = colon < 0 ? null : value.substring(colon + 1);
                }
                case "body" -> body = value;
                case "wait" -> {
                    switch (value.toLowerCase(Locale.ROOT)) {
                        case "reset" -> kind = WaitKind.RESET;
                        case "retry-after" -> kind = WaitKind.RETRY_AFTER;
                        default -> {
                            fixed = WaitTimes.parse(value);
                            if (fixed == null) throw new IllegalArgumentException("wait '" + value + "' in rule '" + text + "' is not reset, retry-after or a duration such as 60s or 24h");
                            kind = WaitKind.FIXED;
                        }
                    }
                }
                default -> throw new IllegalArgumentException("'" + name + "' in rule '" + text + "' is not one of status, header, body, wait");
            }
        }
        if (statuses.isEmpty()) throw new IllegalArgumentException("rule '" + text + "' names no status");
        if (header == null && body == null && !statuses.contains(429)) {
            throw new IllegalArgumentException("rule '" + text + "' needs a header= or body= condition (a status alone would make every such answer a rate limit)");
        }
        if (kind == null) kind = WaitKind.RETRY_AFTER;
        return new Rule(text, Set.copyOf(statuses), header, headerValue, body, kind, fixed);
    }

    /** The first rule this answer matches. */
    public Optional<Rule> match(int status, Function<String, String> headers, String body) {
        for (Rule r : rules) if (r.matches(status, headers, body)) return Optional.of(r);
        return Optional.empty();
    }

    /**
     * The wait a matched answer asks for: until the quota's reset, its Retry-After, or the rule's fixed
     * time; empty when the answer does not say (then the retry backoff applies).
     */
    static Optional<Duration> waitFor(Rule rule, RateLimitSnapshot snapshot, Optional<Duration> retryAfter, java.time.Instant now) {
        return switch (rule.waitKind()) {
            case FIXED -> Optional.of(rule.fixed());
            case RETRY_AFTER -> retryAfter;
            case RESET -> snapshot.resetAt() == null ? retryAfter
                    : Optional.of(snapshot.resetAt().isAfter(now) ? Duration.between(now, snapshot.resetAt()) : Duration.ZERO);
        };
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** The rules as configured, in order (for `probe`). */
    public List<String> texts() {
        return rules.stream().map(Rule::text).toList();
    }
}
