package io.leadpipe.simulator;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** {@code java -jar target/leadpipe-simulator.jar [serve|demo] [--config FILE] [-Dkey=value]…} */
public final class SimulatorMain {

    static final int OK = 0;
    static final int BAD_USAGE = 2;

    static final String HELP = """
            leadpipe simulator — the bundled leads API, CRM and enrichment API, on loopback.

            Usage: java -jar target/leadpipe-simulator.jar [VERB] [--config FILE] [-Dkey=value]...

            Verbs:
              serve     (default) serve the simulated APIs on leadpipe.simulator.port (8089 when 0) until Ctrl-C
              demo      start the simulator and run leadpipe (target/leadpipe.jar run) against it: every lead
                        pulled into the configured database (H2 under ./data), then delivered to the
                        simulated CRM. Other arguments are handed on to leadpipe.

            Settings (leadpipe.simulator.*, leadpipe.demo.*) come from ./application.properties, --config FILE,
            environment variables named like the key (LEADPIPE_SIMULATOR_PORT) and -Dkey=value.
            """;

    private SimulatorMain() {
    }

    public static void main(String[] args) throws Exception {
        int code = run(Arrays.asList(args), System.out, System.err, System.getenv());
        System.out.flush();
        System.exit(code);
    }

    static int run(List<String> argv, PrintStream out, PrintStream err, Map<String, String> env) throws Exception {
        String verb = argv.isEmpty() || argv.get(0).startsWith("-") ? "serve" : argv.get(0);
        List<String> rest = argv.isEmpty() || argv.get(0).startsWith("-") ? argv : argv.subList(1, argv.size());
        if (rest.contains("-h") || rest.contains("--help") || verb.equals("help")) {
            out.print(HELP);
            return OK;
        }
        SimulatorSettings settings;
        try {
            settings = SimulatorSettings.load(Path.of("application.properties"), rest, env, System.getProperties());
            return switch (verb) {
                case "serve" -> serve(settings, out);
                case "demo" -> new Demo(settings, out, err).run();
                default -> throw new IllegalArgumentException("unknown verb '" + verb + "' (serve or demo; --help)");
            };
        } catch (IllegalArgumentException e) {
            err.println("leadpipe simulator: " + e.getMessage());
            return BAD_USAGE;
        }
    }

    private static int serve(SimulatorSettings settings, PrintStream out) throws Exception {
        if (!settings.others.isEmpty()) {
            throw new IllegalArgumentException("serve takes only --config FILE and -Dkey=value, not " + settings.others + " (see --help)");
        }
        SimulatorConfig config = SimulatorConfig.from(settings::get);
        if (config.port == 0) config.port = 8089;
        try (LeadsApiSimulator sim = new LeadsApiSimulator(config).start()) {
            out.println("leadpipe simulator: " + config.leads + " leads at " + sim.leadsUrl()
                    + " (header " + config.apiKeyHeader + ", " + config.rateLimit + " requests per " + config.rateWindowMillis + " ms)");
            out.println("CRM: " + sim.crmUrl() + " — enrichment: " + sim.enrichUrl());
            out.println("stats: http://" + config.host + ":" + sim.port() + "/_sim/stats — Ctrl-C stops");
            out.flush();
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
        return OK;
    }
}
