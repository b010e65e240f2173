package io.leadpipe.store;

import io.leadpipe.config.ConfigException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Where `export --out` writes: never inside the database's directory (symlinks and relative paths
 * resolved), never over a file that is not a previous export unless forced, and only by renaming a
 * finished temporary file beside the target, so a failed export leaves the target as it was.
 */
public final class ExportFile {

    /** What the export writes into the temporary file. */
    public interface Content {
        long writeTo(Writer out) throws Exception;
    }

    private final Path target;

    private ExportFile(Path target) {
        this.target = target;
    }

    /** Checks the path before anything is opened; a refusal is a usage error naming the reason. */
    public static ExportFile check(Path out, List<Path> protectedDirs, boolean force) {
        Path target = resolve(out);
        for (Path dir : protectedDirs) {
            Path realDir = resolve(dir);
            if (target.startsWith(realDir)) {
                throw new ConfigException("refusing to export to " + out + ": it is inside the database directory " + dir
                        + " (it would overwrite the database's own files); choose a path outside it");
            }
        }
        if (Files.isDirectory(target)) throw new ConfigException("cannot export to " + out + ": it is a directory");
        if (Files.exists(target)) {
            if (!Files.isRegularFile(target)) throw new ConfigException("cannot export to " + out + ": it is not a regular file");
            if (!force && !isPreviousExport(target)) {
                throw new ConfigException(out + " exists and is not a leadpipe export; add --force to replace it");
            }
        }
        if (target.getParent() == null || !Files.isDirectory(target.getParent())) {
            throw new ConfigException("cannot export to " + out + ": the directory " + out.toAbsolutePath().getParent() + " does not exist");
        }
        return new ExportFile(target);
    }

    /** The real path the bytes would land on: symlinks followed, `..` and relative parts gone. */
    private static Path resolve(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        try {
            if (Files.exists(abs)) return abs.toRealPath();
            if (Files.isSymbolicLink(abs)) {
                throw new ConfigException("cannot export to " + p + ": it is a symbolic link to a missing file");
            }
            Path parent = abs.getParent();
            if (parent != null && Files.exists(parent)) return parent.toRealPath().resolve(abs.getFileName());
            return abs;
        } catch (IOException e) {
            throw new ConfigException("cannot resolve the export path " + p + ": " + e.getMessage());
        }
    }

    /** An empty file, or one that starts like a JSON Lines or CSV export of leadpipe. */
    private static boolean isPreviousExport(Path file) {
        try {
            if (Files.size(file) == 0) return true;
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                char[] head = new char[1 << 16];
                int n = r.read(head);
                String first = new String(head, 0, Math.max(n, 0)).lines().findFirst().orElse("");
                return first.contains("\"leadpipe\":{") || first.contains("leadpipe_sink_status");
            }
        } catch (IOException e) {
            return false; // unreadable or not text: not ours
        }
    }

    /** Writes into a temporary file beside the target, syncs it, then renames it over the target. */
    public long write(Content content) throws Exception {
        Path dir = target.getParent();
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".part");
        try {
            long n;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 Writer w = new java.io.BufferedWriter(new OutputStreamWriter(java.nio.channels.Channels.newOutputStream(ch), StandardCharsets.UTF_8))) {
                n = content.writeTo(w);
                w.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return n;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public Path target() {
        return target;
    }
}
