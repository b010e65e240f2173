package io.leadpipe.secrets;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A secret kept in the database sealed (AES-GCM) under a key derived from another secret the process is
 * given anyway (an OAuth client secret): a database dump, a backup or a grep of the data directory shows
 * no usable token, and every instance configured with that secret can open it.
 */
public final class SealedText {

    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretKeySpec key;

    /** @param keyMaterial the secret the key is derived from, plus anything that tells its uses apart */
    public SealedText(String keyMaterial) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(("leadpipe-sealed-v1\n" + keyMaterial).getBytes(StandardCharsets.UTF_8));
            this.key = new SecretKeySpec(digest, "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    public String seal(String plain) {
        try {
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            byte[] sealed = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[iv.length + sealed.length];
            System.arraycopy(iv, 0, out, 0, iv.length);
            System.arraycopy(sealed, 0, out, iv.length, sealed.length);
            return "v1:" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is missing from this JVM", e);
        }
    }

    /** The plain text, or null when this key cannot open it (sealed under another secret, or altered). */
    public String open(String sealed) {
        if (sealed == null || !sealed.startsWith("v1:")) return null;
        try {
            byte[] in = Base64.getDecoder().decode(sealed.substring(3));
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, 12));
            return new String(c.doFinal(in, 12, in.length - 12), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return null;
        }
    }
}
