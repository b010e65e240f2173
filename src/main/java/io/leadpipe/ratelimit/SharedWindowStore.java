package io.leadpipe.ratelimit;

import java.sql.SQLException;
import java.util.function.Function;

/** Where a cluster keeps its keys' windows (store.SharedWindowTable): one row per key, changed in a short locked transaction. */
public interface SharedWindowStore {

    /** The new row and what the change has to say besides. */
    record Change<T>(SharedWindow next, T result) {}

    /**
     * Reads the key's row locked (an empty window when there is none yet), applies {@code change}, writes the
     * row when it changed, commits; returns the change's result.
     *
     * @param keySha256 a digest of the key's identity (the key itself is never stored)
     * @param name      the governor's name, for a reader of the table
     */
    <T> T change(String keySha256, String name, long now, Function<SharedWindow, Change<T>> change) throws SQLException;
}
