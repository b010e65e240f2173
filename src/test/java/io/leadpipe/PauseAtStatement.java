package io.leadpipe;

import org.h2.api.DatabaseEventListener;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * An H2 event listener (DATABASE_EVENT_LISTENER in the JDBC URL) for crash tests: when a statement
 * matching -Dleadpipe-test.pause-at starts, it writes the file -Dleadpipe-test.paused and blocks, so
 * the test can SIGKILL the process at exactly that point of a migration.
 */
public class PauseAtStatement implements DatabaseEventListener {

    private static final Pattern AT = Pattern.compile(System.getProperty("leadpipe-test.pause-at", "(?!)"), Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    @Override
    public void setProgress(int state, String name, long x, long max) {
        if (state != STATE_STATEMENT_START || name == null || !AT.matcher(name).find()) return;
        try {
            Files.writeString(Path.of(System.getProperty("leadpipe-test.paused")), name);
            Thread.sleep(Long.MAX_VALUE);
        } catch (Exception e) {
            Thread.currentThread().interrupt();
        }
    }
}
