package io.leadpipe.store;

import io.leadpipe.config.ConfigException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The local H2 database's password when none is configured: 32 random bytes, hex, kept in an owner-only
 * file beside the database (data/.db-password) and created once, atomically, by whichever process
 * comes first.
 */
public final class GeneratedPassword {

    public static final String FILE_NAME = ".db-password";

    private GeneratedPassword() {
    }

    public static Path fileFor(Path databaseDirectory) {
        return databaseDirectory.resolve(FILE_NAME);
    }

    /** The password in the file, created first when there is none. */
    public static String readOrCreate(Path file) {
        return readOrCreate(file, "database password");
    }

    /** A random secret (what it is: for messages) kept in an owner-only file, created first when there is none. */
    public static String readOrCreate(Path file, String what) {
        try {
            if (!Files.exists(file)) create(file);
            String password = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (password.isEmpty()) throw new ConfigException("the " + what + " file " + file + " is empty");
            return password;
        } catch (IOException e) {
            throw new ConfigException("cannot read or create the " + what + " file " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static void create(Path file) throws IOException {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        Path tmp;
        try {
            tmp = Files.createTempFile(file.getParent(), FILE_NAME, ".new", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            tmp = Files.createTempFile(file.getParent(), FILE_NAME, ".new");
        }
        try {
            Files.writeString(tmp, HexFormat.of().formatHex(random) + "\n", StandardCharsets.UTF_8);
            try {
                Files.createLink(file, tmp); // fails if another process linked its file first: then both use that one
            } catch (FileAlreadyExistsException e) {
                // another process was first
            } catch (UnsupportedOperationException e) {
                Files.move(tmp, file);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        OwnerOnly.file(file);
    }
}
