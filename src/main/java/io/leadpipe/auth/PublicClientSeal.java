package io.leadpipe.auth;

import io.leadpipe.config.ConfigException;
import io.leadpipe.config.Settings;
import io.leadpipe.secrets.SealedText;
import io.leadpipe.secrets.Secrets;
import io.leadpipe.store.Database;
import io.leadpipe.store.GeneratedPassword;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The key a public OAuth2 client's (no client secret) stored refresh token is sealed under: a key derived
 * from its id alone would open the token from the row and the (public) id. The operator's key
 * (leadpipe.secrets.seal-key-file), else one generated once into an owner-only file beside a local H2
 * database; with neither (PostgreSQL and no key file), leadpipe does not start.
 */
public final class PublicClientSeal {

    static final String KEY_FILE = "leadpipe.secrets.seal-key-file";
    static final String GENERATED = ".token-seal-key";

    /** No key to be had (for factories made without settings): a public client is refused. */
    static final PublicClientSeal NONE = new PublicClientSeal(null, null);

    private final String keyFile;
    private final Path generated;

    private PublicClientSeal(String keyFile, Path generated) {
        this.keyFile = keyFile;
        this.generated = generated;
    }

    /** Reads the settings only: nothing is opened or created until a public client's token is sealed. */
    public static PublicClientSeal from(Settings settings) {
        String file = settings.getText(KEY_FILE);
        Path beside = Database.localDirectory(settings.require("leadpipe.db.url")).map(dir -> dir.resolve(GENERATED)).orElse(null);
        return new PublicClientSeal(file.isBlank() ? null : file.strip(), beside);
    }

    /** The client's seal, made once the database is open (the operator's key file is read and checked now). */
    Supplier<SealedText> forClient(String label, String api, String clientId) {
        String material = "public-client\n" + api + "\n" + clientId + "\n";
        if (keyFile != null) {
            String key;
            try {
                key = Files.readString(Path.of(keyFile), StandardCharsets.UTF_8).lines().findFirst().orElse("").trim();
            } catch (IOException e) {
                throw new ConfigException("cannot read " + KEY_FILE + " = " + keyFile + " (" + e.getClass().getSimpleName() + ")");
            }
            if (key.length() < 16) throw new ConfigException("the key in " + KEY_FILE + " = " + keyFile + " must be at least 16 characters (its first line)");
            Secrets.register(key);
            return () -> new SealedText(material + key);
        }
        if (generated == null) {
            throw new ConfigException(label + ": a public OAuth2 client (no client secret) keeps its refresh token sealed under a key only leadpipe has,"
                    + " and the database is not a local file to keep a generated one beside: set " + KEY_FILE
                    + " to an owner-only file holding a random key (e.g. openssl rand -hex 32)");
        }
        return () -> {
            String key = GeneratedPassword.readOrCreate(generated, "refresh-token seal key");
            Secrets.register(key);
            return new SealedText(material + key);
        };
    }
}
