package io.leadpipe.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;

/**
 * A file or directory under target/ that the test JVMs of one build share (the children's class-data archive, the
 * migrated schema template): the first JVM that needs it makes it beside its place and moves it in whole, the others
 * wait on a file lock and find it there. Keyed by its name: a name that changes with its inputs makes it anew.
 */
final class OncePerBuild {

    /** Makes the thing at {@code partial}; leaves nothing there when it cannot (the thing is then absent). */
    interface Maker {
        void make(Path partial) throws IOException, InterruptedException;
    }

    private OncePerBuild() {
    }

    /** {@code target}, made once under {@code lock} when it is not there yet; null when it could not be made. */
    static Path get(Path target, Path lock, Maker maker) throws IOException, InterruptedException {
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             var held = channel.lock()) {
            if (!Files.exists(target)) {
                Path partial = target.resolveSibling(target.getFileName() + ".part");
                delete(partial); // a JVM killed while making it
                try {
                    maker.make(partial);
                    if (Files.exists(partial)) Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    delete(partial);
                }
            }
        }
        return Files.exists(target) ? target : null;
    }

    static void delete(Path path) {
        if (!Files.exists(path)) return;
        try (var files = Files.walk(path)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
