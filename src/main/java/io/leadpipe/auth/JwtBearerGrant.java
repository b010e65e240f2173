package io.leadpipe.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.leadpipe.config.ConfigException;
import io.leadpipe.secrets.Secrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * The JWT bearer grant (RFC 7523 §2.1): for every token request a new assertion — iss, sub, aud, iat, exp,
 * jti and the configured claims — signed RS256 (RFC 7518 §3.3) with the private key, sent as
 * {@code grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=…} (Salesforce, Google) or as a
 * bearer header (ZoomInfo). The key and every assertion are secrets: registered for scrubbing.
 */
final class JwtBearerGrant implements AccessTokens.Grant {

    static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    private final TokenEndpoint endpoint;
    private final AuthSpec.Jwt jwt;
    private final String scope;
    private final PrivateKey key;
    private final LongSupplier clock;
    private final String whatToFix;

    JwtBearerGrant(TokenEndpoint endpoint, AuthSpec spec, String pem, LongSupplier clock) {
        this.endpoint = endpoint;
        this.jwt = spec.jwt();
        this.scope = spec.scope();
        this.key = privateKey(pem, spec);
        this.clock = clock;
        String a = spec.authPrefix();
        this.whatToFix = "the signed assertion was refused: check " + a + "jwt.issuer, " + a + "jwt.subject, " + a + "audience and "
                + a + "jwt.claims, and that the private key (" + a + "private-key-file or " + a + "private-key-env) is the one registered with the provider";
    }

    @Override
    public TokenEndpoint.TokenAnswer obtain() throws IOException {
        String assertion = assertion();
        if (jwt.inHeader()) return endpoint.requestWithBearer(assertion, whatToFix);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("assertion", assertion);
        return endpoint.request(GRANT_TYPE, fields, whatToFix);
    }

    /** header.claims.signature, base64url without padding (RFC 7515 §7.1). */
    String assertion() {
        long now = clock.getAsLong() / 1000;
        ObjectNode header = JSON.createObjectNode().put("alg", "RS256").put("typ", "JWT");
        if (jwt.keyId() != null) header.put("kid", jwt.keyId());
        ObjectNode claims = JSON.createObjectNode().put("iss", jwt.issuer());
        if (jwt.subject() != null) claims.put("sub", jwt.subject());
        claims.put("aud", jwt.audience()).put("iat", now).put("exp", now + jwt.lifetime().toSeconds()).put("jti", UUID.randomUUID().toString());
        if (scope != null) claims.put("scope", scope);
        jwt.claims().forEach(claims::put);
        String signingInput = b64(header.toString()) + "." + b64(claims.toString());
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(key);
            rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            String assertion = signingInput + "." + B64URL.encodeToString(rs256.sign());
            Secrets.register(assertion); // a bearer credential until it expires
            return assertion;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with an RSA key that was read: " + e.getClass().getSimpleName(), e);
        }
    }

    private static String b64(String json) {
        return B64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** PEM PKCS#8 (-----BEGIN PRIVATE KEY-----), RSA; an error names the setting and never quotes the key. */
    static PrivateKey privateKey(String pem, AuthSpec spec) {
        String where = spec.jwt().privateKey().file() != null ? spec.jwt().privateKey().fileKey() : spec.jwt().privateKey().envKey();
        if (pem.contains("BEGIN RSA PRIVATE KEY")) {
            throw new ConfigException(spec.label() + ": the private key (" + where + ") is PKCS#1 (BEGIN RSA PRIVATE KEY); give it as PKCS#8:"
                    + " openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
        }
        if (!pem.contains("BEGIN PRIVATE KEY")) {
            throw new ConfigException(spec.label() + ": the private key (" + where + ") is not a PEM PKCS#8 key (-----BEGIN PRIVATE KEY-----"
                    + (pem.contains("ENCRYPTED") ? "; an encrypted key must be decrypted first" : "") + ")");
        }
        String base64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new ConfigException(spec.label() + ": the private key (" + where + ") cannot be read as an RSA PKCS#8 key (" + e.getClass().getSimpleName() + ")");
        }
    }
}
