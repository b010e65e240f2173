package io.leadpipe.store;

import io.leadpipe.config.ConfigException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One schema upgrade at a time on a local H2 file: an OS lock on {@code <name>.upgrade.lock} beside the
 * database, held while Flyway checks and migrates. Flyway's own lock on H2 is a row lock that every DDL
 * statement's implicit commit releases, so two processes starting on one file could run the same migration
 * together, or fail on it (H2 error 50200). The OS drops the lock with its process, so a kill never leaves a
 * lock the next start cannot take.
 */
final class SchemaUpgradeLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private SchemaUpgradeLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Waits up to timeoutMillis for the lock (another process upgrading the same file holds it meanwhile). */
    static SchemaUpgradeLock take(Path databaseFile, long timeoutMillis) {
        Path file = databaseFile.resolveSibling(databaseFile.getFileName() + ".upgrade.lock");
        long deadline = System.currentTimeMillis() + timeoutMillis;
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            OwnerOnly.file(file);
            while (true) {
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null; // this JVM upgrades the same file on another thread
                }
                if (lock != null) return new SchemaUpgradeLock(channel, lock);
                if (System.currentTimeMillis() >= deadline) {
                    channel.close();
                    throw new ConfigException("another leadpipe process is upgrading the schema of " + databaseFile
                            + " and did not finish within leadpipe.db.upgrade-wait-ms (" + timeoutMillis + " ms); nothing was changed — start again when it is done");
                }
                Thread.sleep(100);
            }
        } catch (IOException e) {
            throw new ConfigException("cannot lock " + file + " for the schema upgrade: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException("interrupted while waiting for another process's schema upgrade of " + databaseFile);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the lock goes with the channel, and with the process
        }
    }
}
