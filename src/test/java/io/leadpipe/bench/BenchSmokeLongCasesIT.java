package io.leadpipe.bench;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The other half of {@link BenchSmokeIT}: the smoke's cases that start several JVMs or a database server. */
class BenchSmokeLongCasesIT {

    @AfterEach
    void fullSize() {
        Scale.smoke(false);
        System.clearProperty("bench.child-jvm-options");
    }

    @Test
    void theLongBenchmarkCasesRunAndReport() {
        BenchSmokeIT.runAndCheck(BenchSmokeIT.LONG_CASES::contains);
    }
}
