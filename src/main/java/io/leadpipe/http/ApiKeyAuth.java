package io.leadpipe.http;

import io.leadpipe.config.ConfigException;
import io.leadpipe.secrets.Secrets;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Adds the API key to every request inside the HTTP client, so the key never becomes a Camel header,
 * a log line, an exchange dump or a checkpoint value.
 */
public final class ApiKeyAuth implements SourceAuth {

    private final CredentialPlacement placement;
    private final String key;
    private volatile ResponseLimits limits = ResponseLimits.DEFAULTS;

    @Override
    public ApiKeyAuth limits(ResponseLimits limits) {
        this.limits = limits;
        return this;
    }

    /** @param prefix a scheme such as "Bearer", written before the key with one space; empty for none */
    public ApiKeyAuth(String headerName, String prefix, String key) {
        this(CredentialPlacement.header(headerName, prefix), key);
    }

    public ApiKeyAuth(CredentialPlacement placement, String key) {
        this.placement = placement;
        this.key = key;
        Secrets.register(key);
        if (placement.scheme().equalsIgnoreCase("Basic")) registerBasicCredentials(key);
    }

    /** An API may echo Basic credentials decoded: user:password, and the password alone, are secrets too. */
    private static void registerBasicCredentials(String key) {
        try {
            String decoded = new String(java.util.Base64.getDecoder().decode(key.trim()), StandardCharsets.UTF_8);
            Secrets.register(decoded);
            int colon = decoded.indexOf(':');
            if (colon >= 0) Secrets.register(decoded.substring(colon + 1));
        } catch (IllegalArgumentException notBase64) {
            // not encoded credentials: the key itself is registered
        }
    }

    /**
     * The key from a file (first line, trimmed) when one is configured, else from the environment variable.
     *
     * @param label   how messages name the API: "source 'leads-api'", "sink API 'crm'"
     * @param fileKey the setting naming the key file (leadpipe.source.NAME.api-key-file, leadpipe.sink.crm.api-key-file)
     */
    public static ApiKeyAuth resolve(String label, String fileKey, CredentialPlacement placement, String envVar, String file, Map<String, String> env) {
        String key;
        if (file != null && !file.isBlank()) {
            try {
                key = Files.readString(Path.of(file), StandardCharsets.UTF_8).lines().findFirst().orElse("").trim();
            } catch (IOException e) {
                throw new ConfigException(label + ": cannot read the API key file " + file + " (" + e.getClass().getSimpleName() + ")");
            }
            if (key.isEmpty()) throw new ConfigException(label + ": the API key file " + file + " is empty");
        } else {
            key = env.get(envVar);
            if (key == null || key.isBlank()) {
                throw new ConfigException(label + ": no API key. Set the environment variable " + envVar
                        + " or point " + fileKey + " at a file holding the key");
            }
            key = key.trim();
        }
        return new ApiKeyAuth(placement, key);
    }

    /** Equal for equal keys, so sources sharing a key share one rate budget; a digest, not the key. */
    @Override
    public String identity() {
        String where = placement.queryParam() != null ? "?" + placement.queryParam() : placement.header().toLowerCase(java.util.Locale.ROOT);
        return io.leadpipe.encoding.Sha256.hex(where + "\n" + placement.value(key));
    }

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.addRequestInterceptorFirst((request, entity, context) -> placement.place(request, key));
        // the whole call is bounded too: an overall deadline and a maximum body size
        builder.addExecInterceptorFirst("leadpipe-response-limits", limits);
    }

    @Override
    public String toString() {
        return "ApiKeyAuth[" + placement.describe() + "]";
    }
}
