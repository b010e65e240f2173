package io.leadpipe.auth;

import io.leadpipe.encoding.Sha256;
import io.leadpipe.http.AuthRefusedException;
import io.leadpipe.secrets.SealedText;
import io.leadpipe.secrets.Secrets;
import io.leadpipe.store.RefreshTokenTable;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The refresh_token grant (RFC 6749 §6). The current refresh token lives in the database (sealed), read and
 * replaced under a row lock: when the provider rotates it, the new one is stored before the lock is let go,
 * so a restart or another instance continues with it. The token given in the settings only seeds the row.
 */
final class RefreshTokenGrant implements AccessTokens.Grant {

    private final String api;
    private final String label;
    private final TokenEndpoint endpoint;
    private final String seed;
    private final String scope;
    private final java.util.function.Supplier<SealedText> sealKey;
    private final SealedText olderSeal;
    private volatile SealedText seal;
    private final String fixRefreshToken;
    private volatile RefreshTokenTable table;

    /**
     * @param api       the table's key (the source or sink API name); label how messages name it
     * @param sealKey   the key the token is sealed under, made once the database is open (a generated key file sits beside it)
     * @param olderSeal a key rows may still be sealed under (a public client's, before it had a real key), or null
     */
    RefreshTokenGrant(String api, String label, String prefix, TokenEndpoint endpoint, String seed, String scope,
                      java.util.function.Supplier<SealedText> sealKey, SealedText olderSeal, String seedEnvVar) {
        this.api = api;
        this.label = label;
        this.endpoint = endpoint;
        this.seed = seed;
        this.scope = scope;
        this.sealKey = sealKey;
        this.olderSeal = olderSeal;
        this.fixRefreshToken = "the refresh token is revoked, expired or was already used: authorise leadpipe again and give the new refresh token in "
                + seedEnvVar + " (" + prefix + "refresh-token-env) or " + prefix + "refresh-token-file; it replaces the stored one";
    }

    /** Records the configured refresh token unless it was recorded before (then the stored, maybe rotated, one stays current). */
    void attach(RefreshTokenTable table) {
        seal = sealKey.get();
        table.seed(api, Sha256.hex(seed), seal.seal(seed));
        // a row sealed under the older key opens once more, and is sealed under the current one from now on
        if (olderSeal != null) table.reseal(api, sealed -> seal.open(sealed) != null ? null : reseal(olderSeal.open(sealed)));
        this.table = table;
    }

    private String reseal(String plain) {
        return plain == null ? null : seal.seal(plain);
    }

    @Override
    public TokenEndpoint.TokenAnswer obtain() throws IOException {
        RefreshTokenTable t = table;
        if (t == null) throw new IllegalStateException(label + ": the refresh token store is not attached");
        return t.rotate(api, (sealed, replaceWith) -> {
            String current = sealed == null ? seed : seal.open(sealed);
            if (current == null) {
                throw new AuthRefusedException(label + ": the stored refresh token cannot be opened with the configured client secret (was it changed?) — "
                        + fixRefreshToken);
            }
            Secrets.register(current);
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("refresh_token", current);
            fields.put("scope", scope);
            // a rotated token is committed the moment it is read from the answer (see RefreshTokenTable.rotate)
            return endpoint.request("refresh_token", fields, fixRefreshToken, rotated -> {
                if (!rotated.equals(current)) replaceWith.accept(seal.seal(rotated));
            });
        });
    }
}
