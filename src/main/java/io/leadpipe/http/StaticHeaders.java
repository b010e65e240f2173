package io.leadpipe.http;

import io.leadpipe.config.ApiKeys;
import io.leadpipe.config.ConfigException;
import io.leadpipe.config.Settings;
import io.leadpipe.secrets.Secrets;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A source's static request headers ({@code leadpipe.source.<name>.header.<Header-Name> = value}, e.g.
 * {@code Accept: application/vnd.github+json}, {@code X-GitHub-Api-Version}, {@code Stripe-Version}) and its
 * secret ones ({@code secret-header.<Header-Name> = env:VARIABLE | file:PATH}: the value is read from there,
 * never from a settings file, and scrubbed by value from anything leadpipe writes). Like the API key they are
 * set inside the HTTP client, so they are never Camel headers, log lines or exchange dumps.
 */
public final class StaticHeaders {

    public static final String HEADER = "header.";
    public static final String SECRET_HEADER = "secret-header.";

    /** RFC 9110 token characters: what a header name may be made of. */
    public static final Pattern NAME = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");

    /** Headers the HTTP client writes itself from the request: a static value would contradict it. */
    private static final Set<String> RESERVED = Set.of("host", "content-length", "transfer-encoding", "connection");

    private final Map<String, String> headers;
    private final Set<String> secretNames;

    private StaticHeaders(Map<String, String> headers, Set<String> secretNames) {
        this.headers = headers;
        this.secretNames = secretNames;
    }

    /**
     * Reads and checks a source's static and secret headers; {@code apiKeyHeader} is the key's own header,
     * which a static header may not replace. Secret values are registered with {@link Secrets}.
     */
    public static StaticHeaders read(ApiKeys k, String apiKeyHeader, Map<String, String> env) {
        String prefix = k.prefix();
        Settings settings = k.settings();
        Map<String, String> headers = new LinkedHashMap<>();
        Set<String> secrets = new java.util.LinkedHashSet<>();
        // set empty: not sent (a way to switch off a header set elsewhere); under() leaves those out
        for (Map.Entry<String, String> set : k.under("").entrySet()) {
            String rest = set.getKey();
            String key = prefix + rest;
            boolean secret = rest.startsWith(SECRET_HEADER);
            if (!secret && !rest.startsWith(HEADER)) continue;
            String name = rest.substring(secret ? SECRET_HEADER.length() : HEADER.length());
            String value = set.getValue();
            if (!NAME.matcher(name).matches()) throw settings.invalid(key, value, "names no valid header ('" + name + "' is not an HTTP header name)");
            if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) throw settings.invalid(key, value, "sets " + name + ", which the HTTP client writes itself");
            if (name.equalsIgnoreCase(apiKeyHeader)) {
                throw settings.invalid(key, value, "would replace the API key's header " + apiKeyHeader + " (" + prefix + "api-key-header, or auth.header for a token)");
            }
            if (secret) {
                value = secretValue(settings, key, value, env);
                Secrets.register(value);
                secrets.add(name.toLowerCase(Locale.ROOT));
            } else if (value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                throw settings.invalid(key, value, "holds a control character (a line break would end the header)");
            }
            for (String other : headers.keySet()) {
                if (other.equalsIgnoreCase(name)) throw settings.invalid(key, value, "sets header " + name + " twice (once as a secret-header)");
            }
            headers.put(name, value);
        }
        return new StaticHeaders(headers, secrets);
    }

    /** env:VARIABLE or file:PATH (its first line); a secret written into a settings file is refused. */
    private static String secretValue(Settings settings, String key, String reference, Map<String, String> env) {
        String value;
        if (reference.startsWith("env:")) {
            String variable = reference.substring(4).trim();
            value = env.get(variable);
            if (value == null || value.isBlank()) throw new ConfigException("invalid setting " + key + ": the environment variable " + variable + " is not set");
        } else if (reference.startsWith("file:")) {
            Path file = Path.of(reference.substring(5).trim());
            try {
                value = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("");
            } catch (IOException e) {
                throw new ConfigException("invalid setting " + key + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
            }
            if (value.isBlank()) throw new ConfigException("invalid setting " + key + ": " + file + " is empty");
        } else {
            // the value is not shown: it may be the secret itself, written where it should not be
            throw new ConfigException("invalid setting " + key + ": must be env:VARIABLE or file:PATH — a secret header's value is read from there, never written in a settings file");
        }
        value = value.strip();
        if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) throw new ConfigException("invalid setting " + key + ": the secret holds a control character");
        return value;
    }

    public boolean isEmpty() {
        return headers.isEmpty();
    }

    /** The header names, secret ones marked, for a start-up line: never a secret value. */
    public Map<String, String> describe() {
        Map<String, String> shown = new LinkedHashMap<>();
        headers.forEach((k, v) -> shown.put(k, secretNames.contains(k.toLowerCase(Locale.ROOT)) ? Secrets.MASK : v));
        return shown;
    }

    /**
     * The source's HTTP client configurer with these headers added to every request it sends (after
     * {@code client}'s own interceptors, such as the API key's).
     */
    public HttpClientConfigurer around(HttpClientConfigurer client) {
        if (headers.isEmpty()) return client;
        return new HttpClientConfigurer() {
            @Override
            public void configureHttpClient(HttpClientBuilder builder) {
                client.configureHttpClient(builder);
                builder.addRequestInterceptorLast((request, entity, context) -> headers.forEach(request::setHeader));
            }

            @Override
            public String toString() {
                return client + " + headers " + describe();
            }
        };
    }

    @Override
    public String toString() {
        return "StaticHeaders" + describe();
    }
}
