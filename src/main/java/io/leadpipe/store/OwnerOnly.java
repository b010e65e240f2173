package io.leadpipe.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Owner-only permissions (0700 directories, 0600 files) where the file system has POSIX permissions. */
final class OwnerOnly {

    private OwnerOnly() {
    }

    static void directory(Path dir) {
        set(dir, "rwx------");
    }

    static void file(Path file) {
        set(file, "rw-------");
    }

    /**
     * An existing directory is tightened only when it is plainly leadpipe's: owned by this user, not
     * shared (sticky, like /tmp), and not the home or working directory.
     */
    static void existingDirectory(Path dir) {
        try {
            Path real = dir.toRealPath();
            if (real.equals(Path.of(System.getProperty("user.home")).toRealPath()) || real.equals(Path.of("").toRealPath())) return;
            if (!Files.getOwner(real).getName().equals(System.getProperty("user.name"))) return;
            Object mode = Files.getAttribute(real, "unix:mode");
            if (mode instanceof Integer m && (m & 01000) != 0) return;
            directory(real);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // no POSIX attributes here (or not ours): leave the directory as it is
        }
    }

    private static void set(Path p, String perms) {
        try {
            if (Files.exists(p)) Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        } catch (IOException | UnsupportedOperationException e) {
            // a file system without POSIX permissions (or a file another user owns): nothing to tighten
        }
    }
}
