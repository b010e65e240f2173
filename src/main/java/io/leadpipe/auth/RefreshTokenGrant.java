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
    private final SealedText seal;
    private final String fixRefreshToken;
    private volatile RefreshTokenTable table;

    /** @param api the table's key (the source or sink API name); label how messages name it */
    RefreshTokenGrant(String api, String label, String prefix, TokenEndpoint endpoint, String seed, String scope, SealedText seal, String seedEnvVar) {
        this.api = api;
        this.label = label;
        this.endpoint = endpoint;
        this.seed = seed;
        this.scope = scope;
        this.seal = seal;
        this.fixRefreshToken = "the refresh token is revoked, expired or was already used: authorise leadpipe again and give the new refresh token in "
                + seedEnvVar + " (" + prefix + "refresh-token-env) or " + prefix + "refresh-token-file; it replaces the stored one";
    }

    /** Records the configured refresh token unless it was recorded before (then the stored, maybe rotated, one stays current). */
    void attach(RefreshTokenTable table) {
        table.seed(api, Sha256.hex(seed), seal.seal(seed));
        this.table = table;
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
            TokenEndpoint.TokenAnswer answer = endpoint.request("refresh_token", fields, fixRefreshToken);
            if (answer.refreshToken() != null && !answer.refreshToken().equals(current)) replaceWith.accept(seal.seal(answer.refreshToken()));
            return answer;
        });
    }
}
