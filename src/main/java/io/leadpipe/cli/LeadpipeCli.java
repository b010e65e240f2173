package io.leadpipe.cli;

import io.leadpipe.LeadpipeWiring;
import io.leadpipe.ProbeWiring;
import io.leadpipe.config.ConfigException;
import io.leadpipe.config.JobDeclarations;
import io.leadpipe.config.Settings;
import io.leadpipe.job.DeletedListings;
import io.leadpipe.job.FailureExplainer;
import io.leadpipe.job.JobOutcome;
import io.leadpipe.job.RunReport;
import io.leadpipe.secrets.ScrubbingPrintStream;
import io.leadpipe.store.CheckpointVerbs;
import io.leadpipe.store.CheckpointTable;
import io.leadpipe.store.Database;
import io.leadpipe.store.LeadExport;
import io.leadpipe.store.StoreCompaction;
import io.leadpipe.store.StoreSize;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** The command line: parses the verb, loads settings, and hands over to the app or the store. */
public final class LeadpipeCli {

    public static final int OK = 0;
    public static final int JOB_FAILED = 1;
    public static final int BAD_CONFIG = 2;
    public static final int NOT_RECONCILED = 3;
    /** A job is being pulled, or the staged leads delivered, by another process (one writer per job, one deliverer per sink): nothing was done to it. */
    public static final int JOB_BUSY = 4;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    public LeadpipeCli(PrintStream out, PrintStream err, Map<String, String> env) {
        // everything leadpipe prints (reports, status, errors) is scrubbed of secrets and e-mail addresses
        this.out = ScrubbingPrintStream.wrap(out);
        this.err = ScrubbingPrintStream.wrap(err);
        this.env = env;
    }

    public static void main(String[] args) {
        int code = new LeadpipeCli(System.out, System.err, System.getenv()).execute(args);
        System.out.flush();
        System.exit(code);
    }

    public int execute(String[] argv) {
        ScrubbingPrintStream.installOnConsole(); // the log lines too
        try {
            CommandLine cli = CommandLine.parse(argv);
            if (cli.help || cli.verb == null) {
                out.print(CommandLine.HELP);
                return cli.help ? OK : BAD_CONFIG;
            }
            Settings settings = Settings.load(Path.of("application.properties"), cli.config, cli.overrides, env, System.getProperties());
            JobDeclarations.applyJobsFile(settings);
            return switch (cli.verb) {
                case "run" -> run(settings, cli);
                case "status" -> status(settings, cli);
                case "reset" -> reset(settings, cli);
                case "compact" -> compact(settings, cli);
                case "verify" -> verify(settings, cli);
                case "deliver" -> deliver(settings);
                case "serve" -> serve(settings);
                case "replay" -> replay(settings, cli);
                case "export" -> export(settings, cli);
                case "repair" -> repair(settings);
                case "probe" -> probe(settings, cli);
                // the simulator is not part of leadpipe: it has its own jar, which runs leadpipe for the demo
                case "demo", "simulator" -> throw new ConfigException("'" + cli.verb + "' is a verb of the simulator jar: java -jar target/leadpipe-simulator.jar "
                        + (cli.verb.equals("demo") ? "demo" : "serve"));
                default -> throw new ConfigException("unknown verb '" + cli.verb + "' (see leadpipe --help)");
            };
        } catch (ConfigException e) {
            err.println("leadpipe: " + e.getMessage());
            return BAD_CONFIG;
        } catch (CheckpointVerbs.JobBusyException | io.leadpipe.store.SinkLease.SinkBusyException e) {
            err.println("leadpipe: " + e.getMessage());
            return JOB_BUSY;
        } catch (Exception e) {
            err.println("leadpipe: " + FailureExplainer.describe(e));
            return JOB_FAILED;
        }
    }

    private int run(Settings settings, CommandLine cli) throws Exception {
        JobDeclarations.applyJobsFile(settings); // the deployment's jobs file, as start() reads it
        JobDeclarations jobs = JobDeclarations.read(settings); // before anything is opened
        jobs.require(cli.job);
        if (cli.job == null) jobs.requireSomeJob(settings);
        CountDownLatch closed = new CountDownLatch(1);
        Thread[] graceful = new Thread[1];
        try (LeadpipeWiring app = new LeadpipeWiring(settings)) {
            app.start(env);
            // SIGTERM / Ctrl-C: jobs stop between pages, checkpointed (INTERRUPTED); the reports are printed and
            // the database closed before the process exits
            graceful[0] = new Thread(() -> {
                app.stopGracefully(app.shutdownGrace());
                try {
                    closed.await(app.shutdownGrace().toMillis() + 5000, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "leadpipe-graceful-stop");
            Runtime.getRuntime().addShutdownHook(graceful[0]);
            int code = runAndReport(app, cli);
            app.compactWhenClosed(); // H2: the file rewritten with its live data when it has outgrown it (StoreCompaction)
            return code;
        } finally {
            closed.countDown();
            if (graceful[0] != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(graceful[0]);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running and has just been released
                }
            }
        }
    }

    private int runAndReport(LeadpipeWiring app, CommandLine cli) throws Exception {
        {   // one block: the outcome of every job, then delivery
            List<String> jobs = cli.job != null ? List.of(cli.job) : app.jobs();
            if (jobs.isEmpty()) throw new ConfigException("no jobs declared in the routes (see routes/jobs.yaml or leadpipe.jobs.file)");
            List<JobOutcome> outcomes = app.runJobs(jobs);
            boolean failed = false;
            boolean gap = false;
            boolean busy = false;
            for (JobOutcome o : outcomes) {
                if (o.busy()) {
                    out.println(o.error());
                    busy = true;
                } else if ("SKIPPED".equals(o.status())) {
                    out.println("job " + o.job() + ": already DONE, nothing pulled (`leadpipe reset " + o.job() + "` to pull again)");
                } else if (o.report() != null) {
                    out.print(RunReport.toText(o.report()));
                } else {
                    out.println("job " + o.job() + ": " + o.status() + (o.error() == null ? "" : " — " + o.error()));
                }
                failed |= o.failed();
                gap |= !RunReport.reconciled(o.report());
            }
            io.leadpipe.store.PullRepository.DatabaseGone databaseGone = app.whyDatabaseGone(); // read once: another pull's open clears it
            if (app.sinkEnabled() && databaseGone != null) {
                // the staged leads are in a database this run could no longer reach: they stay staged for `leadpipe deliver`
                out.println("delivery: not started — the database " + databaseGone.words() + "; `leadpipe deliver` delivers what is staged");
                failed = true;
            } else if (app.sinkEnabled()) {
                try {
                    failed |= !printDelivery(app);
                } catch (io.leadpipe.store.SinkLease.SinkBusyException e) {
                    // another process delivers on this database (one deliverer per sink): it delivers what this run stored too
                    out.println("delivery: " + e.getMessage());
                    busy = true;
                }
            }
            return failed ? JOB_FAILED : busy ? JOB_BUSY : gap ? NOT_RECONCILED : OK;
        }
    }

    /** {@code status}: every checkpoint row; {@code status JOB}: that job's (a sliced job: its summary and each slice's row). */
    private int status(Settings settings, CommandLine cli) throws Exception {
        if (cli.args.size() > 1) throw new ConfigException("usage: leadpipe status [JOB]");
        String job = cli.args.isEmpty() ? null : cli.args.get(0);
        List<String> slices = job == null ? List.of() : sliceJobs(settings, job);
        try (Database db = Database.open(settings).migrate()) {
            if (job != null && slices.isEmpty()) slices = autoSliceJobs(settings, db, job);
            CheckpointTable table = new CheckpointTable(db);
            // a sync's listing of deleted records (<job>.deleted: HubSpot archived=true, Pipedrive's recents) is part of it
            java.util.Set<String> jobAndListing = job == null ? null : java.util.Set.of(job, job + DeletedListings.SUFFIX);
            if (job == null) table.printStatus(out);
            else if (slices.isEmpty()) table.printStatus(out, jobAndListing);
            else table.printSlicedStatus(out, job, slices);
            // incremental jobs: the watermark of their last pull, where it came from, and what the delta brought
            new io.leadpipe.store.DeltaWatermarks(db.dataSource(), Map.of(), Map.of()).statusLines(jobAndListing)
                    .forEach((j, line) -> out.println("job " + j + " delta: " + line));
            out.println("database: " + StoreSize.of(db).describe());
        }
        return OK;
    }

    /** {@code compact}: refused while a run is live, like {@code reset}; says how much it gave back. */
    private int compact(Settings settings, CommandLine cli) throws Exception {
        if (!cli.args.isEmpty()) throw new ConfigException("usage: leadpipe compact");
        StoreCompaction.Result r = StoreCompaction.onDemand(Database.open(settings).migrate());
        out.println("database compacted: " + r.describe());
        return OK;
    }

    /** A declared job's slices' job ids ({@code <job>.<slice>}); empty for a job that is one pull, or one the routes do not declare. */
    private static List<String> sliceJobs(Settings settings, String job) {
        JobDeclarations declared = JobDeclarations.read(settings);
        return declared.slicesOf(job).stream().map(s -> s.jobId(job)).toList();
    }

    /** The slices' job ids of a job declared slices = auto, from its kept plan; empty before its first run cut it. */
    private static List<String> autoSliceJobs(Settings settings, Database db, String job) throws Exception {
        if (!JobDeclarations.read(settings).autoSliced(job)) return List.of();
        io.leadpipe.job.AutoSlices.Cut cut = new io.leadpipe.store.SlicePlans(db.dataSource()).find(job);
        return cut == null ? List.of() : cut.slices().stream().map(s -> s.jobId(job)).toList();
    }

    private int reset(Settings settings, CommandLine cli) throws Exception {
        if (cli.args.size() != 1) throw new ConfigException("usage: leadpipe reset JOB");
        String job = cli.args.get(0);
        List<String> slices = sliceJobs(settings, job);
        try (Database db = Database.open(settings).migrate()) {
            CheckpointVerbs store = new CheckpointVerbs(db);
            if (slices.isEmpty()) slices = autoSliceJobs(settings, db, job);
            if (!slices.isEmpty()) {
                // a sliced job is its slices' checkpoints: all of them are forgotten at once, or none while a live run holds one
                List<String> all = new java.util.ArrayList<>(slices);
                all.add(job);
                java.util.Set<String> had = store.resetAll(all);
                // slices = auto: the plan goes too, so the next run cuts the job again from the API's counts
                if (JobDeclarations.read(settings).autoSliced(job)) new io.leadpipe.store.SlicePlans(db.dataSource()).forget(job);
                long forgotten = slices.stream().filter(had::contains).count();
                out.println("job " + job + ": " + forgotten + " of " + slices.size() + " slice checkpoints forgotten; the next run pulls every slice from its first page");
                return OK;
            }
            boolean existed = store.reset(job);
            out.println(existed ? "job " + job + ": checkpoint forgotten; the next run starts from the first page"
                    : "job " + job + ": no checkpoint to forget");
        }
        return OK;
    }

    /** Drains the staging table to the CRM and prints what happened; false when the drain failed. */
    private boolean printDelivery(LeadpipeWiring app) throws Exception {
        org.apache.camel.Exchange drain = app.deliver();
        int delivered = drain.getVariable("deliveredCount", 0, Integer.class);
        int dead = drain.getVariable("deadCount", 0, Integer.class);
        long calls = app.counters().of("sink").requests.get();
        out.println("──── delivery ────");
        out.printf(java.util.Locale.ROOT, "  %-15s %d delivered, %d dead-lettered this run (%d CRM and enrichment requests)%n", "leads", delivered, dead, calls);
        Integer removed = drain.getVariable("removedCount", Integer.class);
        if (removed != null) {
            // the endpoint sink's drain says what it did with them (routes/deliver-endpoint.yaml), the CRM's removes them
            out.printf(java.util.Locale.ROOT, "  %-15s %d %s%n", "deleted at source", removed,
                    drain.getVariable("removedSaid", "removed from the CRM this run (leadpipe.sink.crm.on-deleted = delete)", String.class));
        }
        String counts = CheckpointTable.deliveryStatusCounts(app.database());
        out.printf(java.util.Locale.ROOT, "  %-15s %s%n", "staging now", counts.isEmpty() ? "(empty)" : counts);
        if (drain.getException() != null) {
            out.printf(java.util.Locale.ROOT, "  %-15s FAILED — %s; staged leads stay staged, `leadpipe deliver` continues%n", "status",
                    io.leadpipe.job.FailureExplainer.explain(drain.getException(), drain.getVariable("request", String.class), drain.getVariable("source", String.class)));
            return false;
        }
        if (dead > 0) out.printf(java.util.Locale.ROOT, "  %-15s see `leadpipe status`; `leadpipe replay` re-queues them%n", "dead letters");
        return true;
    }

    /** Stays up and runs the scheduled jobs (routes/schedule.yaml) until stopped. */
    private int serve(Settings settings) throws Exception {
        settings.set("leadpipe.scheduler.enabled", "true");
        try (LeadpipeWiring app = new LeadpipeWiring(settings)) {
            app.start(env);
            out.println("leadpipe serve: scheduled jobs are running; Ctrl-C or SIGTERM stops");
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                app.stopGracefully(app.shutdownGrace()); // running jobs stop between pages, checkpointed
                stop.countDown();
            }));
            stop.await();
        }
        return OK;
    }

    private int deliver(Settings settings) throws Exception {
        settings.set("leadpipe.sink.enabled", "true");
        try (LeadpipeWiring app = new LeadpipeWiring(settings)) {
            app.start(env);
            return printDelivery(app) ? OK : JOB_FAILED;
        }
    }

    private int replay(Settings settings, CommandLine cli) throws Exception {
        try (Database db = Database.open(settings).migrate()) {
            int n = new io.leadpipe.store.DeadLetters(db).replay(cli.stage, cli.job);
            out.println(n + " dead-lettered leads re-queued" + (cli.stage == null ? "" : " (stage " + cli.stage + ")")
                    + (cli.job == null ? "" : " (job " + cli.job + ")") + "; `leadpipe deliver` sends them");
        }
        return OK;
    }

    private int verify(Settings settings, CommandLine cli) throws Exception {
        if (cli.args.size() != 1) throw new ConfigException("usage: leadpipe verify JOB");
        String job = cli.args.get(0);
        JobDeclarations.read(settings).require(job);
        try (Database db = Database.open(settings).migrate()) {
            if (!new CheckpointVerbs(db).startVerification(job)) throw new ConfigException("job " + job + " has no checkpoint to verify (run it first)");
        }
        out.println("job " + job + ": verification pass — re-reading the list from the first page and storing what was missed");
        cli.job = job;
        return run(settings, cli);
    }

    /**
     * One request for a source's first page (or a job's: its source and filters) through a pull's own page
     * fetch, nothing stored; prints what leadpipe understood. Exit 1 when a full pull could not work.
     */
    private int probe(Settings settings, CommandLine cli) throws Exception {
        String source;
        String filters = "";
        if (cli.job != null) {
            if (!cli.args.isEmpty()) throw new ConfigException("usage: leadpipe probe SOURCE, or leadpipe probe --job JOB");
            JobDeclarations declared = JobDeclarations.read(settings);
            declared.require(cli.job);
            source = declared.jobs().get(cli.job).source();
            filters = declared.jobs().get(cli.job).filters();
        } else {
            if (cli.args.size() != 1) throw new ConfigException("usage: leadpipe probe SOURCE, or leadpipe probe --job JOB");
            source = cli.args.get(0);
        }
        java.time.Instant since = cli.since == null ? null : io.leadpipe.delta.UpdatedAt.parse(cli.since);
        if (cli.since != null && since == null) throw new ConfigException("--since '" + cli.since + "' is not a time (e.g. 2026-12-05T14:00:00Z)");
        try (ProbeWiring app = new ProbeWiring(settings)) {
            io.leadpipe.probe.SourceProbe probe = app.start(env, source);
            org.apache.camel.ProducerTemplate template = app.context().createProducerTemplate();
            io.leadpipe.probe.ProbeReport report = probe.run(template, cli.job, filters, since);
            template.stop();
            out.print(report.toText());
            return report.failed() ? JOB_FAILED : OK;
        }
    }

    /** Finishes a schema upgrade that a crash interrupted: Flyway repair, then the (re-runnable) migrations again. */
    private int repair(Settings settings) {
        try (Database db = Database.open(settings)) {
            org.flywaydb.core.api.output.RepairResult r = db.repair();
            for (String line : db.putBack()) out.println(line);
            for (var m : r.migrationsRemoved) out.println("removed the unfinished migration V" + m.version + " (" + m.description + ") from the schema history");
            for (var m : r.migrationsAligned) out.println("realigned the checksum of V" + m.version + " (" + m.description + ")");
            out.println("schema complete at version " + db.schemaVersion() + "; leads and checkpoints kept");
        }
        return OK;
    }

    private int export(Settings settings, CommandLine cli) throws Exception {
        if (!"jsonl".equals(cli.format) && !"csv".equals(cli.format)) throw new ConfigException("unsupported export format '" + cli.format + "' (supported: jsonl, csv)");
        // checked before the database is opened: the target must not be one of its files
        io.leadpipe.store.ExportFile file = cli.out == null ? null
                : io.leadpipe.store.ExportFile.check(cli.out, Database.localDirectory(settings.require("leadpipe.db.url")).stream().toList(), cli.force);
        boolean neutraliseFormulas = settings.getBoolean("leadpipe.export.csv.neutralise-formulas");
        try (Database db = Database.open(settings).migrate()) {
            LeadExport export = new LeadExport(db, neutraliseFormulas);
            if (file == null) {
                Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
                export.write(w, cli.format, cli.job);
                w.flush();
            } else {
                long n = file.write(w -> export.write(w, cli.format, cli.job));
                err.println("exported " + n + " leads to " + cli.out);
            }
        }
        return OK;
    }
}
