package io.leadpipe.simulator;

import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code demo}: the simulator on loopback, and leadpipe itself ({@code java -jar leadpipe.jar run}) as a child
 * process pointed at it — the same jar and verb a user runs against a real API. URLs go to the child as
 * {@code -D} settings; the keys go in environment variables, never on a command line, where {@code ps}
 * would show them. Extra arguments ({@code --config FILE}, {@code -Dkey=value}, {@code --job NAME}) are
 * handed on to leadpipe.
 */
final class Demo {

    static final String LEADS_KEY_ENV = "LEADPIPE_DEMO_API_KEY";
    static final String CRM_KEY_ENV = "LEADPIPE_DEMO_CRM_API_KEY";
    static final String ENRICH_KEY_ENV = "LEADPIPE_DEMO_ENRICH_API_KEY";

    private final SimulatorSettings settings;
    private final PrintStream out;
    private final PrintStream err;

    Demo(SimulatorSettings settings, PrintStream out, PrintStream err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    int run() throws Exception {
        Path jar = leadpipeJar();
        if (!Files.isRegularFile(jar)) {
            err.println("leadpipe demo: " + jar + " not found; build it first: mvn -B -q package -DskipTests");
            return SimulatorMain.BAD_USAGE;
        }
        SimulatorConfig config = SimulatorConfig.from(settings::get);
        // slowed so progress can be followed, unless the simulator's own latency is set
        if (config.latencyMillis == 0) config.latencyMillis = Long.parseLong(settings.get("leadpipe.demo.latency-ms", "60"));
        try (LeadsApiSimulator sim = new LeadsApiSimulator(config).start()) {
            out.println("leadpipe demo: simulated leads API with " + config.leads + " leads at " + sim.leadsUrl());
            out.flush();
            ProcessBuilder pb = new ProcessBuilder(command(jar, sim, config)).inheritIO();
            Map<String, String> env = pb.environment();
            env.put(LEADS_KEY_ENV, config.apiKey);
            env.put(CRM_KEY_ENV, config.crmApiKey);
            env.put(ENRICH_KEY_ENV, config.enrichApiKey);
            Process leadpipe = pb.start();
            // Ctrl-C reaches both processes; a TERM to this one alone is passed on, and the simulator stays up until leadpipe is gone
            Thread stopChild = new Thread(() -> stop(leadpipe), "demo-stop");
            Runtime.getRuntime().addShutdownHook(stopChild);
            int code = leadpipe.waitFor();
            try {
                Runtime.getRuntime().removeShutdownHook(stopChild);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running already
            }
            return code;
        }
    }

    /** {@code java -jar leadpipe.jar run [the user's arguments] -D<where the simulator is>…} */
    List<String> command(Path jar, LeadsApiSimulator sim, SimulatorConfig config) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(), "run"));
        cmd.addAll(settings.passThrough);
        for (String source : settings.get("leadpipe.sources", "leads-api").split(",")) {
            if (source.isBlank()) continue;
            String p = "leadpipe.source." + source.trim() + ".";
            cmd.add("-D" + p + "url=" + sim.leadsUrl());
            key(cmd, p, config.apiKeyHeader, "", LEADS_KEY_ENV);
        }
        cmd.add("-Dleadpipe.sink.enabled=" + settings.get("leadpipe.demo.deliver", "true"));
        cmd.add("-Dleadpipe.sink.crm.url=" + sim.crmUrl());
        key(cmd, "leadpipe.sink.crm.", "Authorization", "Bearer", CRM_KEY_ENV);
        cmd.add("-Dleadpipe.sink.enrichment.url=" + sim.enrichUrl());
        key(cmd, "leadpipe.sink.enrichment.", "Authorization", "Bearer", ENRICH_KEY_ENV);
        return cmd;
    }

    /** Where the key goes and which variable holds it; a configured key file would win over the variable, so none. */
    private static void key(List<String> cmd, String prefix, String header, String scheme, String envVar) {
        cmd.add("-D" + prefix + "api-key-header=" + header);
        cmd.add("-D" + prefix + "api-key-prefix=" + scheme);
        cmd.add("-D" + prefix + "api-key-env=" + envVar);
        cmd.add("-D" + prefix + "api-key-file=");
    }

    /** leadpipe.jar beside this jar (target/leadpipe-simulator.jar → target/leadpipe.jar; from target/test-classes too). */
    static Path leadpipeJar() throws URISyntaxException {
        Path here = Path.of(Demo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return here.toAbsolutePath().getParent().resolve("leadpipe.jar");
    }

    private static void stop(Process leadpipe) {
        if (!leadpipe.isAlive()) return;
        leadpipe.destroy();
        try {
            leadpipe.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
