package io.leadpipe;

import io.leadpipe.auth.SourceAuthFactory;
import io.leadpipe.config.JobDeclarations;
import io.leadpipe.config.Settings;
import io.leadpipe.http.JsonAnswer;
import io.leadpipe.paging.PageCodecs;
import io.leadpipe.probe.RequestRecorder;
import io.leadpipe.probe.SourceProbe;
import io.leadpipe.ratelimit.RateLimits;
import io.leadpipe.ratelimit.RatePolicy;
import io.leadpipe.ratelimit.RetryBackoff;
import io.leadpipe.secrets.Secrets;
import io.leadpipe.source.Source;
import io.leadpipe.source.SourceSpec;
import io.leadpipe.source.Sources;
import io.leadpipe.store.Database;
import io.leadpipe.store.RefreshTokenTable;
import org.apache.camel.CamelContext;
import org.apache.camel.main.DefaultMainShutdownStrategy;
import org.apache.camel.main.Main;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * {@code probe}: Camel with only a pull's page fetch ({@code fetch-page} of routes/fetch.yaml with the api-call
 * kamelet, and routes/errors.yaml for its route configuration) and one source, made as a run makes it. No job
 * route runs it, so nothing retries: one request. Nothing is opened that a pull writes to — no database (but for
 * an OAuth2 refresh-token source, whose rotated token must be kept), no report directory — and no management port.
 */
public final class ProbeWiring implements AutoCloseable {

    private final Settings settings;
    private final ProcessSettings process;
    private Main main;
    private Database db;

    public ProbeWiring(Settings settings) {
        this.settings = settings;
        this.process = new ProcessSettings(settings);
    }

    public SourceProbe start(Map<String, String> env, String sourceName) throws Exception {
        SourceSpec spec = SourceSpec.readDeclared(settings, sourceName, env);
        SourceAuthFactory credentials = process.credentials(env);
        List<Sources.Resolved> resolved = Sources.resolve(List.of(spec), credentials);
        RatePolicy policy = process.ratePolicy();
        RateLimits rateLimits = new RateLimits().maxWait(process.maxWait());
        RetryBackoff retries = process.backoff("leadpipe.retry.", rateLimits);
        if (credentials.keepsRefreshTokens()) {
            // the provider may rotate the refresh token on use: the new one must be stored, or the next run is locked out
            db = Database.open(settings).migrate();
            credentials.attach(new RefreshTokenTable(db.dataSource()));
        }
        main = new Main();
        if (main.getShutdownStrategy() instanceof DefaultMainShutdownStrategy strategy) strategy.disableHangupSupport();
        Properties properties = settings.asProperties();
        properties.stringPropertyNames().stream().filter(k -> k.startsWith("camel.component.sql.")).forEach(properties::remove);
        properties.setProperty("camel.main.routes-include-pattern", probeRoutes());
        properties.setProperty("camel.management.enabled", "false");
        properties.setProperty("camel.metrics.enabled", "false");
        main.setOverrideProperties(properties);
        main.setDefaultPropertyPlaceholderLocation("false");
        // the request as it goes out of the source's own client, credentials masked
        Set<String> masked = new HashSet<>();
        if (spec.auth().credentialHeader() != null) masked.add(spec.auth().credentialHeader());
        spec.headers().describe().forEach((name, shown) -> { if (Secrets.MASK.equals(shown)) masked.add(name); });
        RequestRecorder[] recorder = new RequestRecorder[1];
        Source source = Sources.connect(resolved, rateLimits, policy, client -> recorder[0] = new RequestRecorder(client, masked)).of(sourceName);
        PageCodecs pagers = new PageCodecs();
        pagers.register(source.name(), source.paging());
        main.bind("auth-" + source.name(), source.client());
        main.bind("paging", pagers);
        main.bind("instanceUrls", credentials.instanceUrls());
        main.bind("rateLimits", rateLimits);
        main.bind("jsonAnswer", new JsonAnswer());
        main.init();
        main.getCamelContext().getTypeConverterRegistry().addTypeConverters(new io.leadpipe.http.HttpMethodConverters());
        main.start();
        String pacing = "floor " + policy.floor() + " requests kept per window (at most a tenth of the limit), at most " + spec.quota().maxRequestsPerSecond()
                + " requests/s (Throttler), node share " + policy.nodeShare()
                + "; a wait longer than " + settings.getText("leadpipe.ratelimit.max-wait") + " stops the job PAUSED";
        return new SourceProbe(spec.paging(), source.quota(), recorder[0], retries.describe(), pacing).delta(spec.delta());
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    /** The page fetch's route files, from where the configured routes are (routes/ by default). */
    private String probeRoutes() {
        List<String> files = new ArrayList<>();
        for (Path f : JobDeclarations.routeFiles(settings.getText("camel.main.routes-include-pattern"))) {
            String name = f.getFileName().toString();
            if (name.equals("fetch.yaml") || name.equals("errors.yaml")) files.add("file:" + f);
        }
        return files.size() == 2 ? String.join(",", files) : "file:routes/fetch.yaml,file:routes/errors.yaml";
    }

    @Override
    public void close() {
        if (main != null) {
            try {
                main.stop();
            } catch (Exception ignored) {
                // shutting down
            }
        }
        if (db != null) db.close();
    }
}
