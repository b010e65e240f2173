package io.leadpipe.secrets;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.cli.LeadpipeCli;
import io.leadpipe.secrets.SealedText;
import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A public OAuth2 client (refresh token, no client secret) has no secret to seal its stored refresh token
 * with: one derived from the source name and the client id alone opens from the database row. It is sealed
 * under a generated key in an owner-only file beside the database (or the operator's), rows sealed the old
 * way are resealed on the next start, and without a key to use leadpipe refuses to start.
 */
class PublicClientSealTest {

    static final String P = "leadpipe.source.leads-api.auth.";
    static final String CLIENT_ID = "leadpipe-public";

    static SimulatorConfig publicClient() {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = 300;
        c.auth = "oauth2";
        c.oauthClientId = CLIENT_ID;
        c.oauthClientSecret = ""; // a public client: the provider knows it by its id alone
        c.oauthRefreshToken = "rt-seed-" + UUID.randomUUID();
        return c;
    }

    static void publicSource(TestWorkspace ws) {
        ws.settings.put("leadpipe.source.leads-api.auth", "oauth2-refresh-token");
        ws.settings.put(P + "token-url", ws.simulator.tokenUrl());
        ws.settings.put(P + "client-id", CLIENT_ID);
        ws.settings.put(P + "client-auth", "body");
    }

    static Map<String, String> env(SimulatorConfig c) {
        Map<String, String> env = new HashMap<>(TestWorkspace.envWithKey());
        env.put("LEADPIPE_LEADS_API_REFRESH_TOKEN", c.oauthRefreshToken);
        return env;
    }

    static String storedSealed(TestWorkspace ws) throws Exception {
        try (Connection db = ws.db(); PreparedStatement ps = db.prepareStatement("SELECT token_sealed FROM oauth_refresh_token WHERE api = 'leads-api'");
             ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).as("the source's row").isTrue();
            return rs.getString(1);
        }
    }

    /** What an attacker with the row and the (public) client id would try. */
    static SealedText keyFromTheClientIdAlone() {
        return new SealedText("leads-api\n" + CLIENT_ID + "\n");
    }

    @Test
    void theStoredTokenDoesNotOpenWithTheClientIdAloneAndOldRowsAreResealed() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(TestWorkspace.postgres(), "H2 only"); // the generated key lives beside a local H2 file
        SimulatorConfig c = publicClient();
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.startSimulator(c);
            publicSource(ws);
            TestWorkspace.CliResult first = ws.cli(env(c), "run");
            assertThat(first.exitCode()).as(first.out() + first.err()).isZero();

            String sealed = storedSealed(ws);
            assertThat(keyFromTheClientIdAlone().open(sealed)).as("the refresh token opened from the row and the client id alone").isNull();
            Path key = ws.dir.resolve("db/.token-seal-key");
            assertThat(key).as("the generated key beside the database").exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");

            // a row sealed the old way (before this fix): still opened once, then resealed under the key
            String current = ws.simulator.oauth().currentRefreshToken();
            // a provider that rotates would make leadpipe store (and seal) a new token anyway: this one keeps it
            c.oauthRotateRefreshTokens = false;
            try (Connection db = ws.db(); PreparedStatement ps = db.prepareStatement("UPDATE oauth_refresh_token SET token_sealed = ? WHERE api = 'leads-api'")) {
                ps.setString(1, keyFromTheClientIdAlone().seal(current));
                ps.executeUpdate();
            }
            TestWorkspace.CliResult second = ws.cli(env(c), "probe", "leads-api"); // one request: a token from the stored refresh token
            assertThat(second.exitCode()).as(second.out() + second.err()).isZero();
            assertThat(ws.simulator.oauth().refusedGrants.get()).as("the old row's token was used, not refused").isZero();
            assertThat(keyFromTheClientIdAlone().open(storedSealed(ws))).as("resealed under the key").isNull();
        }
    }

    @Test
    void withoutAKeyFileOrALocalDatabaseItRefusesToStart() throws Exception {
        SimulatorConfig c = publicClient();
        try (TestWorkspace ws = new TestWorkspace()) {
            ws.startSimulator(c);
            publicSource(ws);
            ws.settings.put("leadpipe.db.url", "jdbc:postgresql://127.0.0.1:1/nowhere");
            TestWorkspace.CliResult run = ws.cli(env(c), "run");
            assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(LeadpipeCli.BAD_CONFIG);
            assertThat(run.err()).contains("leadpipe.secrets.seal-key-file").doesNotContain("Exception");
            assertThat(run.err().strip().lines().count()).as("one line").isEqualTo(1);
        }
    }
}
