package io.leadpipe.simulator;

import java.util.function.Function;

/** Knobs of the bundled leads API; every one is a {@code leadpipe.simulator.*} property. */
public final class SimulatorConfig {
    public String host = "127.0.0.1";
    public int port = 0;
    public int leads = 5000;
    public long seed = 42;
    public String apiKey = "demo-key";
    public String apiKeyHeader = "X-API-Key";
    public int rateLimit = 600;
    public long rateWindowMillis = 60_000;
    public long latencyMillis = 0;
    public int defaultPageSize = 100;
    public int maxPageSize = 1000;

    /** Reads {@code leadpipe.simulator.*} from a lookup (null = keep the default). */
    public static SimulatorConfig from(Function<String, String> props) {
        SimulatorConfig c = new SimulatorConfig();
        String p = "leadpipe.simulator.";
        c.host = str(props, p + "host", c.host);
        c.port = (int) num(props, p + "port", c.port);
        c.leads = (int) num(props, p + "leads", c.leads);
        c.seed = num(props, p + "seed", c.seed);
        c.apiKey = str(props, p + "api-key", c.apiKey);
        c.apiKeyHeader = str(props, p + "api-key-header", c.apiKeyHeader);
        c.rateLimit = (int) num(props, p + "rate-limit", c.rateLimit);
        c.rateWindowMillis = num(props, p + "rate-window-ms", c.rateWindowMillis);
        c.latencyMillis = num(props, p + "latency-ms", c.latencyMillis);
        c.defaultPageSize = (int) num(props, p + "default-page-size", c.defaultPageSize);
        c.maxPageSize = (int) num(props, p + "max-page-size", c.maxPageSize);
        return c;
    }

    private static String str(Function<String, String> props, String key, String def) {
        String v = props.apply(key);
        return v == null || v.isBlank() ? def : v.trim();
    }

    private static long num(Function<String, String> props, String key, long def) {
        String v = props.apply(key);
        if (v == null || v.isBlank()) return def;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " = '" + v + "' is not a whole number");
        }
    }
}
