package io.leadpipe.testing;

import org.h2.api.DatabaseEventListener;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * An H2 event listener (DATABASE_EVENT_LISTENER in the JDBC URL) for crash tests: when a statement
 * matching -Dleadpipe-test.pause-at starts (or one matching -Dleadpipe-test.pause-after has done its work
 * and is about to commit), it writes the file -Dleadpipe-test.paused and blocks, so the test can SIGKILL the
 * process at exactly that point of a migration. "After" is where H2's ALTER TABLE has dropped the old table
 * (committed by the nested DROP) and renamed its copy (not yet committed).
 */
public class PauseAtStatement implements DatabaseEventListener {

    private static final Pattern AT = Pattern.compile(System.getProperty("leadpipe-test.pause-at", "(?!)"), Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern AFTER = Pattern.compile(System.getProperty("leadpipe-test.pause-after", "(?!)"), Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

    @Override
    public void setProgress(int state, String name, long x, long max) {
        if (name == null) return;
        boolean pause = state == STATE_STATEMENT_START && AT.matcher(name).find() || state == STATE_STATEMENT_END && AFTER.matcher(name).find();
        if (!pause) return;
        try {
            Files.writeString(Path.of(System.getProperty("leadpipe-test.paused")), name);
            Thread.sleep(Long.MAX_VALUE);
        } catch (Exception e) {
            Thread.currentThread().interrupt();
        }
    }
}
