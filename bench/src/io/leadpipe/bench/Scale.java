package io.leadpipe.bench;

import java.util.List;

/**
 * Full size or smoke size. `bench/run smoke` (and BenchSmokeIT in `mvn -B verify`) runs every case through the
 * same code at a tiny scale — a few pages, short windows, one kill, the first row of each table — so a case
 * that no longer compiles, runs or reports fails the build. Set once by {@link Benchmarks#main} before any case
 * runs (the cases read their sizes when they run, never at class initialisation).
 */
final class Scale {

    private static volatile boolean smoke;

    private Scale() {
    }

    static void smoke(boolean on) {
        smoke = on;
    }

    static boolean smoke() {
        return smoke;
    }

    static int of(int full, int tiny) {
        return smoke ? tiny : full;
    }

    static long of(long full, long tiny) {
        return smoke ? tiny : full;
    }

    /** One row of a table: a run, started only when the row is. */
    interface Row<T> {
        T run() throws Exception;
    }

    /**
     * The rows of a table to run: all of them, the first one in a smoke run, or those -Dbench.rows names (1-based,
     * e.g. {@code BENCH_OPTS=-Dbench.rows=1,4,5 bench/run auto-inflight}: a few rows of a long table, in their order).
     */
    static <T> List<Row<T>> rows(List<Row<T>> all) {
        if (smoke) return all.subList(0, 1);
        String picked = System.getProperty("bench.rows");
        if (picked == null || picked.isBlank()) return all;
        return java.util.Arrays.stream(picked.split(",")).map(String::trim).mapToInt(Integer::parseInt)
                .filter(n -> n >= 1 && n <= all.size()).mapToObj(n -> all.get(n - 1)).toList();
    }
}
