package io.leadpipe.config;

/** A configuration or usage problem the user can fix; its message is printed as the one line they see. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
