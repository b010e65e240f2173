package io.leadpipe.cli;

import io.leadpipe.testing.TestWorkspace;

import io.leadpipe.cli.LeadpipeCli;

import io.leadpipe.simulator.SimulatorConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** `export --out` never writes into the database's directory, never clobbers a file it did not write, and writes atomically. */
class ExportSafetyTest {

    static TestWorkspace ws;
    static Path dbDir;

    @BeforeAll
    static void pull() throws Exception {
        ws = new TestWorkspace();
        SimulatorConfig c = new SimulatorConfig();
        c.leads = 300;
        ws.startSimulator(c);
        assertThat(ws.cli(TestWorkspace.envWithKey(), "run").exitCode()).isZero();
        dbDir = ws.dir.resolve("db");
    }

    @AfterAll
    static void close() throws Exception {
        ws.close();
    }

    private static void assertDatabaseIntact() throws Exception {
        assertThat(ws.storedLeadKeys()).as("leads still stored after the refused export").hasSize(300);
        assertThat(ws.checkpoint("all-leads")).as("checkpoint still there").isNotNull();
    }

    @Test
    void exportOntoTheDatabaseFileIsRefusedAndTheDatabaseSurvives() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(TestWorkspace.postgres(), "H2 only");
        Path mvDb = dbDir.resolve("leadpipe.mv.db");
        Path cwd = Path.of("").toAbsolutePath();
        Path symlink = Files.createSymbolicLink(ws.dir.resolve("innocent.jsonl"), mvDb);
        Path linkedDir = Files.createSymbolicLink(ws.dir.resolve("elsewhere"), dbDir);
        for (String out : List.of(mvDb.toString(), cwd.relativize(mvDb).toString(), dbDir.resolve("../db/./leadpipe.mv.db").toString(),
                symlink.toString(), linkedDir.resolve("leadpipe.mv.db").toString(), linkedDir.resolve("new-export.jsonl").toString(),
                dbDir.resolve("leadpipe.lock.db").toString())) {
            TestWorkspace.CliResult r = ws.cli(Map.of(), "export", "--out", out, "--force");
            assertThat(r.exitCode()).as("export --out %s: %s", out, r.err()).isEqualTo(LeadpipeCli.BAD_CONFIG);
            assertThat(r.err()).as("says why").contains("inside the database directory");
            assertThat(dbDir.resolve("new-export.jsonl")).doesNotExist();
            assertDatabaseIntact();
        }
    }

    @Test
    void anExistingFileItDidNotWriteIsNotTruncatedWithoutForce() throws Exception {
        Path precious = ws.dir.resolve("precious.txt");
        Files.writeString(precious, "my notes\n");
        TestWorkspace.CliResult r = ws.cli(Map.of(), "export", "--out", precious.toString());
        assertThat(r.exitCode()).as(r.err()).isEqualTo(LeadpipeCli.BAD_CONFIG);
        assertThat(r.err()).contains("exists").contains("--force");
        assertThat(Files.readString(precious)).isEqualTo("my notes\n");

        TestWorkspace.CliResult forced = ws.cli(Map.of(), "export", "--out", precious.toString(), "--force");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(Files.readAllLines(precious)).hasSize(300);
        assertDatabaseIntact();
    }

    @Test
    void aPreviousExportIsReplacedAtomicallyWithoutForce() throws Exception {
        Path dir = Files.createDirectories(ws.dir.resolve("exports"));
        Path jsonl = dir.resolve("leads.jsonl");
        Path csv = dir.resolve("leads.csv");
        for (int i = 0; i < 2; i++) {
            TestWorkspace.CliResult a = ws.cli(Map.of(), "export", "--out", jsonl.toString());
            assertThat(a.exitCode()).as(a.err()).isZero();
            TestWorkspace.CliResult b = ws.cli(Map.of(), "export", "--format", "csv", "--out", csv.toString());
            assertThat(b.exitCode()).as(b.err()).isZero();
        }
        assertThat(Files.readAllLines(jsonl)).hasSize(300);
        assertThat(Files.readAllLines(csv)).hasSize(301);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).as("no temporary file left beside the target")
                    .containsExactly("leads.csv", "leads.jsonl");
        }
    }

    @Test
    void aDirectoryOrAMissingParentIsAUsageError() throws Exception {
        assertThat(ws.cli(Map.of(), "export", "--out", ws.dir.toString()).exitCode()).isEqualTo(LeadpipeCli.BAD_CONFIG);
        assertThat(ws.cli(Map.of(), "export", "--out", ws.dir.resolve("no/such/dir/x.jsonl").toString()).exitCode()).isEqualTo(LeadpipeCli.BAD_CONFIG);
    }
}
