package io.leadpipe.sink;

import io.leadpipe.testing.TestWorkspace;
import io.leadpipe.simulator.SimulatorConfig;
import io.leadpipe.sink.fake.CrmFake;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/** A workspace whose leads and enrichment come from the simulator and whose CRM is a vendor's fake, chosen by a sink profile. */
final class CrmWorkspace {

    static final String TOKEN = "crm-key"; // LEADPIPE_CRM_API_KEY in TestWorkspace.envWithKey()

    private CrmWorkspace() {
    }

    /** Delivery on with {@code profile}, the CRM at {@code crmUrl}; leads from a simulator of {@code leads} leads. */
    static TestWorkspace start(int leads, String profile, String crmUrl) throws Exception {
        SimulatorConfig c = new SimulatorConfig();
        c.leads = leads;
        return start(c, profile, crmUrl);
    }

    static TestWorkspace start(SimulatorConfig c, String profile, String crmUrl) throws Exception {
        TestWorkspace ws = new TestWorkspace().withSink(c);
        ws.startSimulator(c);
        ws.settings.put("leadpipe.sink.crm.profile", profile);
        ws.settings.put("leadpipe.sink.crm.url", crmUrl);
        ws.settings.put("leadpipe.sink.crm.max-requests-per-second", "1000");
        ws.settings.put("leadpipe.sink.retry.base-delay-ms", "50");
        ws.settings.put("leadpipe.ratelimit.floor", "1");
        return ws;
    }

    /** Dead letters: reason → how many. */
    static Map<String, Long> deadLetters(TestWorkspace ws, String stage) throws Exception {
        Map<String, Long> m = new LinkedHashMap<>();
        try (Connection c = ws.db(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT reason, COUNT(*) FROM dead_letter WHERE stage = '" + stage + "' GROUP BY reason ORDER BY reason")) {
            while (rs.next()) m.put(rs.getString(1), rs.getLong(2));
        }
        return m;
    }

    /**
     * A copy of a shipped mapping with one line edited, as a user might have it, in use for the workspace;
     * returns the number of that line (the dead letters name it). {@code edited} null: the file as shipped.
     */
    static int mapping(TestWorkspace ws, String shipped, String line, String edited) throws java.io.IOException {
        java.nio.file.Path original = java.nio.file.Path.of("routes/mapping/" + shipped);
        String text = java.nio.file.Files.readString(original);
        int number = text.lines().toList().indexOf(line) + 1;
        org.assertj.core.api.Assertions.assertThat(number).as(line + " in " + original).isPositive();
        java.nio.file.Path copy = ws.dir.resolve(shipped);
        java.nio.file.Files.writeString(copy, edited == null ? text : text.replace(line, edited));
        ws.settings.put("leadpipe.sink.mapping", copy.toString());
        return number;
    }

    /** After the mapping's fix: `replay --stage crm` re-queues the {@code dead} leads and `deliver` sends them. */
    static void replayAndDeliver(TestWorkspace ws, long dead) throws java.io.IOException {
        org.assertj.core.api.Assertions.assertThat(ws.cli(Map.of(), "replay", "--stage", "crm").out()).contains(dead + " dead-lettered leads re-queued (stage crm)");
        TestWorkspace.CliResult deliver = ws.cli(TestWorkspace.envWithKey(), "deliver");
        org.assertj.core.api.Assertions.assertThat(deliver.exitCode()).as(deliver.out()).isZero();
    }

    /** The fake's counts, printed for the report (records, duplicates, refused, requests, allowance share). */
    static void report(String what, CrmFake fake) {
        System.out.println("CRM-FAKE " + what + ": " + fake.counts());
    }
}
