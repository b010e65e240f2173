package io.leadpipe.bench;

import io.leadpipe.testing.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `bench/run smoke` inside `mvn -B verify`: every benchmark case of bench/src (compiled with the tests, so one that
 * no longer compiles fails the build) runs at a tiny scale against the bundled simulator and must print its figures.
 * After packaging, because some cases start target/leadpipe.jar as processes and kill them.
 */
class BenchSmokeIT {

    @AfterEach
    void fullSize() {
        Scale.smoke(false);
        System.clearProperty("bench.child-jvm-options");
    }

    @Test
    void everyBenchmarkCaseRunsAndReports() {
        Scale.smoke(true);
        System.setProperty("bench.child-jvm-options", String.join("\n", ChildJvm.archiveOptions())); // a third off each child's start
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        List<String> failures = Smoke.run(new PrintStream(report, true, StandardCharsets.UTF_8));
        String text = report.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertThat(failures).as(text).isEmpty();
        assertThat(text).contains("smoke: every case ran and reported");
    }
}
