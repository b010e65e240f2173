package io.leadpipe.auth;

import io.leadpipe.config.ConfigException;
import io.leadpipe.secrets.Secrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A secret given as {@code <name>-file} (a container secret: its first line) or {@code <name>-env} (the
 * environment variable it names) — never as a value in a settings file. Registered for scrubbing at once.
 */
final class SecretInput {

    private SecretInput() {
    }

    /**
     * @param required false: null when neither is given
     */
    static String read(AuthSpec.Secret secret, String api, Map<String, String> env, boolean required) {
        return read(secret, api, env, required, false);
    }

    /** A PEM key: the whole file or variable, every line of it registered for scrubbing too. */
    static String readWhole(AuthSpec.Secret secret, String api, Map<String, String> env) {
        String pem = read(secret, api, env, true, true);
        pem.lines().map(String::trim).filter(l -> !l.startsWith("-----")).forEach(Secrets::register);
        return pem;
    }

    private static String read(AuthSpec.Secret secret, String api, Map<String, String> env, boolean required, boolean whole) {
        String fileKey = secret.fileKey();
        String envKey = secret.envKey();
        String file = secret.file();
        String value;
        if (file != null && !file.isBlank()) {
            try {
                String text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
                value = whole ? text.trim() : text.lines().findFirst().orElse("").trim();
            } catch (IOException e) {
                throw new ConfigException("'" + api + "': cannot read " + fileKey + " = " + file + " (" + e.getClass().getSimpleName() + ")");
            }
            if (value.isEmpty()) throw new ConfigException("'" + api + "': the file " + file + " (" + fileKey + ") is empty");
        } else {
            String var = secret.variable();
            value = var == null ? null : env.get(var);
            if (value == null || value.isBlank()) {
                if (!required) return null;
                throw new ConfigException("'" + api + "': no " + secret.name().replace('-', ' ') + ". Set the environment variable " + var
                        + " (" + envKey + ") or point " + fileKey + " at a file holding it");
            }
            value = value.trim();
        }
        Secrets.register(value);
        return value;
    }
}
