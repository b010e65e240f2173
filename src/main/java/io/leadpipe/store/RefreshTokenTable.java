package io.leadpipe.store;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * The table oauth_refresh_token (V10): one sealed refresh token per API. A rotation happens under a row lock
 * (SELECT … FOR UPDATE), from reading the current token to storing the provider's new one, so two
 * instances never both spend the same token (a rotating provider would refuse the second).
 */
public final class RefreshTokenTable {

    /** Work done while the row is locked: gets the stored (sealed) token, may hand back the one to store instead. */
    public interface Rotation<T> {
        T apply(String sealed, java.util.function.Consumer<String> replaceWith) throws IOException;
    }

    private final DataSource dataSource;

    public RefreshTokenTable(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Stores the configured token unless this seed is already recorded (then the stored token, perhaps rotated
     * since, is the current one). Returns true when the given token was stored.
     */
    public boolean seed(String api, String seedSha256, String sealedSeed) {
        for (int attempt = 0; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                try {
                    boolean stored = seedLocked(c, api, seedSha256, sealedSeed);
                    c.commit();
                    return stored;
                } catch (SQLException e) {
                    c.rollback();
                    if (attempt > 0) throw e; // a second instance inserted the row first: read it again once
                }
            } catch (SQLException e) {
                if (attempt > 0) throw new IllegalStateException("cannot store the refresh token of " + api + ": " + e.getMessage(), e);
            }
        }
    }

    private static boolean seedLocked(Connection c, String api, String seedSha256, String sealedSeed) throws SQLException {
        String known;
        try (PreparedStatement ps = c.prepareStatement("SELECT seed_sha256 FROM oauth_refresh_token WHERE api = ? FOR UPDATE")) {
            ps.setString(1, api);
            try (ResultSet rs = ps.executeQuery()) {
                known = rs.next() ? rs.getString(1) : null;
            }
        }
        if (seedSha256.equals(known)) return false;
        String sql = known == null
                ? "INSERT INTO oauth_refresh_token (token_sealed, seed_sha256, rotations, updated_at, api) VALUES (?, ?, 0, ?, ?)"
                : "UPDATE oauth_refresh_token SET token_sealed = ?, seed_sha256 = ?, rotations = 0, updated_at = ? WHERE api = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, sealedSeed);
            ps.setString(2, seedSha256);
            ps.setTimestamp(3, Timestamp.from(Instant.now()));
            ps.setString(4, api);
            ps.executeUpdate();
        }
        return true;
    }

    /** Runs the rotation with the row locked; a replacement handed back is committed at once (which lets the lock go). */
    public <T> T rotate(String api, Rotation<T> rotation) throws IOException {
        return locked(api, rotation, true);
    }

    private <T> T locked(String api, Rotation<T> rotation, boolean rotated) throws IOException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            // prepared before the call: between the provider's answer and the commit, only the UPDATE runs
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE oauth_refresh_token SET token_sealed = ?, rotations = rotations + " + (rotated ? 1 : 0) + ", updated_at = ? WHERE api = ?")) {
                String sealed;
                try (PreparedStatement ps = c.prepareStatement("SELECT token_sealed FROM oauth_refresh_token WHERE api = ? FOR UPDATE")) {
                    ps.setString(1, api);
                    try (ResultSet rs = ps.executeQuery()) {
                        sealed = rs.next() ? rs.getString(1) : null;
                    }
                }
                // a replacement is committed at once, inside the call, before the rest of the answer is looked at
                T result = rotation.apply(sealed, replacement -> {
                    try {
                        update.setString(1, replacement);
                        update.setTimestamp(2, Timestamp.from(Instant.now()));
                        update.setString(3, api);
                        update.executeUpdate();
                        c.commit();
                    } catch (SQLException e) {
                        throw new UncheckedIOException(new IOException("the rotated refresh token of " + api + " cannot be stored: " + e.getMessage(), e));
                    }
                });
                c.commit();
                return result;
            } catch (IOException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new UncheckedIOException(new IOException("the refresh token of " + api + " cannot be read or stored: " + e.getMessage(), e));
        }
    }

    /**
     * Reseals the stored token under the row lock: {@code reseal} gets the sealed token and hands back the
     * one to store instead, or null to keep it (a row sealed under an older key, moved to the current one).
     */
    public void reseal(String api, java.util.function.UnaryOperator<String> reseal) {
        try {
            locked(api, (sealed, replaceWith) -> {
                String again = sealed == null ? null : reseal.apply(sealed);
                if (again != null) replaceWith.accept(again);
                return null;
            }, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How often the stored token was replaced by a rotated one (for tests and status). */
    public long rotations(String api) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT rotations FROM oauth_refresh_token WHERE api = ?")) {
            ps.setString(1, api);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
