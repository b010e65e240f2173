package io.leadpipe.store;

import java.lang.reflect.Field;

/**
 * H2 closes every open database from its own shutdown hook, concurrently with ours: a job stopping
 * gracefully on SIGTERM then fails with "Database is already closed". H2 refuses DB_CLOSE_ON_EXIT=FALSE
 * together with AUTO_SERVER, so the app removes H2's hook and closes the database itself (closing the
 * pool closes it) once the running jobs are checkpointed. If the process is halted first, H2 recovers
 * as after a kill.
 */
public final class H2ExitHook {

    private H2ExitHook() {
    }

    /** Call after the first H2 connection was opened (that registers the hook). False when there was none to remove. */
    public static boolean leaveClosingToUs() {
        try {
            Class<?> closer = Class.forName("org.h2.engine.OnExitDatabaseCloser");
            Field instance = closer.getDeclaredField("INSTANCE");
            instance.setAccessible(true);
            return Runtime.getRuntime().removeShutdownHook((Thread) instance.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false; // another H2 version: its hook stays, and a stop may log a closed database
        }
    }
}
