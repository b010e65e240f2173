package io.leadpipe.bench;

import io.leadpipe.testing.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `bench/run smoke` inside `mvn -B verify`: every benchmark case of bench/src (compiled with the tests, so one that
 * no longer compiles fails the build) runs at a tiny scale against the bundled simulator and must print its figures.
 * After packaging, because some cases start target/leadpipe.jar as processes and kill them. In two halves, so that
 * two process-test JVMs share the smoke's two minutes: this class runs every case but {@link #LONG_CASES}, which
 * {@link BenchSmokeLongCasesIT} runs.
 */
class BenchSmokeIT {

    /** The cases that start several JVMs or a database server (about half the smoke's time). */
    static final Set<String> LONG_CASES = Set.of("parallel", "cluster", "migration-kills", "growth");

    @AfterEach
    void fullSize() {
        Scale.smoke(false);
        System.clearProperty("bench.child-jvm-options");
    }

    @Test
    void everyOtherBenchmarkCaseRunsAndReports() {
        assertThat(Smoke.cases().keySet()).as("the long cases are cases of the smoke").containsAll(LONG_CASES);
        runAndCheck(name -> !LONG_CASES.contains(name));
    }

    static void runAndCheck(Predicate<String> which) {
        Scale.smoke(true);
        System.setProperty("bench.child-jvm-options", String.join("\n", ChildJvm.archiveOptions())); // a third off each child's start
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        List<String> failures = Smoke.run(new PrintStream(report, true, StandardCharsets.UTF_8), which);
        String text = report.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertThat(failures).as(text).isEmpty();
        assertThat(text).contains("smoke: every case ran and reported");
    }
}
