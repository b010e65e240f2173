package io.leadpipe.auth;

import io.leadpipe.config.ConfigException;
import io.leadpipe.config.Settings;
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
     * @param prefix     e.g. leadpipe.source.crm.auth.
     * @param name       e.g. client-secret: reads {@code prefix + name + "-file"}, else the variable named by {@code prefix + name + "-env"}
     * @param defaultEnv the variable read when {@code -env} is not set
     * @param required   false: null when neither is given
     */
    static String read(Settings settings, String api, String prefix, String name, String defaultEnv, Map<String, String> env, boolean required) {
        String fileKey = prefix + name + "-file";
        String envKey = prefix + name + "-env";
        String file = settings.get(fileKey);
        String value;
        if (file != null && !file.isBlank()) {
            try {
                value = Files.readString(Path.of(file), StandardCharsets.UTF_8).lines().findFirst().orElse("").trim();
            } catch (IOException e) {
                throw new ConfigException("'" + api + "': cannot read " + fileKey + " = " + file + " (" + e.getClass().getSimpleName() + ")");
            }
            if (value.isEmpty()) throw new ConfigException("'" + api + "': the file " + file + " (" + fileKey + ") is empty");
        } else {
            String var = settings.get(envKey, defaultEnv);
            value = var == null ? null : env.get(var);
            if (value == null || value.isBlank()) {
                if (!required) return null;
                throw new ConfigException("'" + api + "': no " + name.replace('-', ' ') + ". Set the environment variable " + var
                        + " (" + envKey + ") or point " + fileKey + " at a file holding it");
            }
            value = value.trim();
        }
        Secrets.register(value);
        return value;
    }
}
