package io.leadpipe.http;

/**
 * The credentials themselves were refused (invalid_grant, invalid_client, a renewed token refused again):
 * another attempt cannot help, so this is not an IOException and routes/errors.yaml fails the job at once,
 * with this message, which names the source and the setting to fix. It never holds a secret.
 */
public final class AuthRefusedException extends RuntimeException {
    public AuthRefusedException(String message) {
        super(message);
    }
}
