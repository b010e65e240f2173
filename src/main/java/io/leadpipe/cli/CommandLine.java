package io.leadpipe.cli;

import io.leadpipe.config.ConfigException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** `leadpipe [options] VERB [args]`, options allowed anywhere. */
public final class CommandLine {
    public String verb;
    public final List<String> args = new ArrayList<>();
    public Path config;
    public String job;
    public String format = "jsonl";
    public Path out;
    public String stage;
    public boolean help;
    /** export: replace an existing --out file that is not a previous export */
    public boolean force;
    /** probe: the delta request for what changed since this time (ISO-8601, epoch seconds or ms, a date) */
    public String since;
    public final Map<String, String> overrides = new LinkedHashMap<>();

    public static CommandLine parse(String[] argv) {
        CommandLine c = new CommandLine();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            switch (a) {
                case "-h", "--help", "help" -> c.help = true;
                case "--config" -> c.config = Path.of(value(argv, ++i, a));
                case "--job" -> c.job = value(argv, ++i, a);
                case "--format" -> c.format = value(argv, ++i, a);
                case "--out" -> c.out = Path.of(value(argv, ++i, a));
                case "--stage" -> c.stage = value(argv, ++i, a);
                case "--force" -> c.force = true;
                case "--since" -> c.since = value(argv, ++i, a);
                default -> {
                    if (a.startsWith("--config=")) c.config = Path.of(a.substring(9));
                    else if (a.startsWith("--job=")) c.job = a.substring(6);
                    else if (a.startsWith("--format=")) c.format = a.substring(9);
                    else if (a.startsWith("--out=")) c.out = Path.of(a.substring(6));
                    else if (a.startsWith("-D")) {
                        int eq = a.indexOf('=');
                        if (eq < 0) throw new ConfigException(a + " has no value: write -Dkey=value");
                        if (eq == 2 || a.substring(2, eq).isBlank()) throw new ConfigException(a + " has no setting name: write -Dkey=value");
                        c.overrides.put(a.substring(2, eq).trim(), a.substring(eq + 1));
                    } else if (a.startsWith("-")) throw new ConfigException("unknown option " + a + " (see leadpipe --help)");
                    else if (c.verb == null) c.verb = a;
                    else c.args.add(a);
                }
            }
        }
        return c;
    }

    private static String value(String[] argv, int i, String option) {
        if (i >= argv.length) throw new ConfigException(option + " needs a value (see leadpipe --help)");
        return argv[i];
    }

    public static final String HELP = """
            leadpipe — pull leads from paginated, rate-limited REST APIs into a database, resumably.

            Usage: java -jar target/leadpipe.jar [options] VERB [args]

            Verbs:
              run [--job NAME]     pull the jobs in routes/jobs.yaml (or one) from the configured APIs;
                                   a RUNNING or FAILED job resumes from its checkpoint, a DONE job is skipped
              serve                stay up and run the jobs on their schedules (routes/schedule.yaml); several
                                   instances on one PostgreSQL share the work through Quartz's cluster
              status [JOB]         each job's checkpoint: state, page, leads, API total, last update, cursor
                                   (a sliced job: its state, then each slice's checkpoint); the database's
                                   size and how much of it is live data
              reset JOB            forget a job's checkpoint (its leads stay) so the next run starts over
                                   (a sliced job: every slice's)
              compact              give back the space the database no longer uses (H2: the file rewritten
                                   with its live data; PostgreSQL: VACUUM of leadpipe's tables), refused
                                   while a run is live; prints the size before and after
              verify JOB           re-read a job's list from the first page and store what the pull missed
                                   (after drift on offset or page-number APIs)
              deliver              drain the staged leads to the CRM (enrich → map → batch upsert); `run`
                                   does this after extracting when leadpipe.sink.enabled=true
              replay [--stage mapping|crm] [--job NAME]
                                   re-queue dead-lettered leads for the next delivery
              export [--format jsonl|csv] [--out FILE [--force]] [--job NAME]
                                   stored leads with their delivery status and enrichment, to stdout or FILE
                                   (never inside the database directory; an existing FILE that is not a
                                   previous export is replaced only with --force)

              probe SOURCE | probe --job JOB   [--since TIME: the delta request for what changed since TIME]
                                   one request for the first page, nothing stored: prints the request (keys
                                   masked), status, records found and the first id, the next position, the
                                   total, the quota reading and the rules in force; exit 1 when a full pull
                                   could not work (no records array, no id, 401/403, not JSON)
              repair               finish a schema upgrade that a crash (kill -9) interrupted: clear the
                                   unfinished migration from the schema history and run it again

            Options:
              --config FILE        layer FILE (properties) over ./application.properties
              -Dkey=value          override one setting (also as a JVM option before -jar)
              -h, --help           this text

            Every setting in application.properties can also be set by an environment variable named
            like the key: leadpipe.db.url -> LEADPIPE_DB_URL. The API key is read from the variable named
            by leadpipe.source.<name>.api-key-env (default LEADPIPE_API_KEY) or from api-key-file.

            The demo and the bundled simulator are in their own jar:
              java -jar target/leadpipe-simulator.jar demo     the simulator + `leadpipe run` against it
              java -jar target/leadpipe-simulator.jar serve    the simulated APIs alone, until Ctrl-C

            Exit codes: 0 done (or stopped at a job's cap), 1 a job failed, 2 bad configuration or usage,
            3 a job finished but did not reconcile (its report names the gap).
            """;
}
