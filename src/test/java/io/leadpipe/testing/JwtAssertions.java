package io.leadpipe.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/** An RSA key pair for a test (the private half as a PEM PKCS#8 file), and a provider's check of an RS256 assertion. */
public final class JwtAssertions {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JwtAssertions() {
    }

    private static KeyPair rsa;

    /** One 2048-bit pair per test JVM: finding its primes took seconds of CPU (the tests' JVMs run without C2). */
    public static synchronized KeyPair rsa() throws GeneralSecurityException {
        if (rsa == null) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            rsa = g.generateKeyPair();
        }
        return rsa;
    }

    /** -----BEGIN PRIVATE KEY----- as a provider's console hands it out, 64 characters a line. */
    public static Path pemFile(Path dir, KeyPair keys) throws java.io.IOException {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPrivate().getEncoded());
        Path f = dir.resolve("private-key.pem");
        Files.writeString(f, "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n");
        return f;
    }

    /** The claims of an RS256 JWT whose signature verifies with {@code key}, or null (a forged or malformed assertion). */
    public static JsonNode verifiedClaims(String jwt, PublicKey key) {
        try {
            String[] parts = jwt.split("\\.");
            if (parts.length != 3) return null;
            JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
            if (!"RS256".equals(header.path("alg").asText())) return null;
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initVerify(key);
            rs256.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!rs256.verify(Base64.getUrlDecoder().decode(parts[2]))) return null;
            return JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        } catch (Exception malformed) {
            return null;
        }
    }
}
