package io.leadpipe.config;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The route files read before Camel starts, so that a mistake in them stops leadpipe with one line before
 * the database is opened: YAML syntax, two routes with one id, two jobs with one id, a job id that is not a
 * safe file name (it names the report file), a job whose source is not declared in leadpipe.sources.
 */
public final class JobDeclarations {

    /** Letters, digits, '-', '_', '.', starting with a letter or digit: never '..', never a path. */
    public static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    /** A job: one templatedRoute of the extract template; scheduled ones carry a cron. */
    public record Job(String id, String routeId, String source, boolean scheduled, Path file, String filters) {}

    private final Map<String, Job> jobs = new LinkedHashMap<>();
    /** The slices of each sliced job (JobSlices): each is a pull of its own, checkpoint row {@code <job>.<slice>}. */
    private final Map<String, List<JobSlices.Slice>> slices = new LinkedHashMap<>();
    /** The jobs declared slices = auto: cut at their first run, their plan kept in the database. */
    private final java.util.Set<String> autoSliced = new java.util.HashSet<>();

    public static JobDeclarations read(Settings settings) {
        JobDeclarations d = new JobDeclarations();
        List<Map<?, ?>> items = new ArrayList<>();
        Map<Map<?, ?>, Path> fileOf = new java.util.IdentityHashMap<>();
        for (Path file : routeFiles(settings.getText("camel.main.routes-include-pattern"))) {
            List<Map<?, ?>> parsed = parse(file);
            // two files of the same text share one parse: each needs its own items, to say which file a route is in
            if (!parsed.isEmpty() && fileOf.containsKey(parsed.get(0))) parsed = parse(file, readText(file));
            for (Map<?, ?> item : parsed) {
                items.add(item);
                fileOf.put(item, file);
            }
        }
        String defaultSource = "leads-api";
        for (Map<?, ?> item : items) {
            Map<?, ?> template = map(item.get("routeTemplate"));
            if (template != null && "extract".equals(string(template.get("id")))) {
                for (Map<?, ?> p : maps(template.get("parameters"))) {
                    if ("source".equals(string(p.get("name"))) && p.get("defaultValue") != null) defaultSource = string(p.get("defaultValue"));
                }
            }
        }
        // leadpipe's own templates (routes/extract.yaml, children.yaml, schedule.yaml), and any a route file declares
        java.util.Set<String> templates = new java.util.TreeSet<>(List.of("extract", "extract-children", "schedule"));
        for (Map<?, ?> item : items) {
            Map<?, ?> template = map(item.get("routeTemplate"));
            if (template != null && string(template.get("id")) != null) templates.add(string(template.get("id")));
        }
        List<String> sources = KnownSettings.sourceNames(settings.get("leadpipe.sources"));
        Map<String, Path> routeIds = new LinkedHashMap<>();
        Map<String, String> scheduled = new LinkedHashMap<>();
        for (Map<?, ?> item : items) {
            Path file = fileOf.get(item);
            Map<?, ?> route = map(item.get("route"));
            Map<?, ?> templated = map(item.get("templatedRoute"));
            String routeId = route != null ? string(route.get("id")) : templated != null ? string(templated.get("routeId")) : null;
            if (routeId != null) {
                Path first = routeIds.putIfAbsent(routeId, file);
                if (first != null) {
                    throw new ConfigException("two routes have the id '" + routeId + "' (" + first + (first.equals(file) ? "" : " and " + file)
                            + "); Camel would keep only one: give each its own routeId");
                }
            }
            if (templated == null) continue;
            Map<String, String> params = new LinkedHashMap<>();
            for (Map<?, ?> p : maps(templated.get("parameters"))) params.put(string(p.get("name")), string(p.get("value")));
            String template = string(templated.get("routeTemplateRef"));
            // a mistyped template is found here, before anything is opened (Camel would fail only at start)
            if (!templates.contains(template)) {
                throw new ConfigException(file + ": route " + routeId + " names routeTemplateRef '" + template + "', which no route template declares (known: "
                        + String.join(", ", templates) + ")");
            }
            if ("schedule".equals(template)) scheduled.put(params.get("jobId"), routeId);
            boolean children = "extract-children".equals(template);
            if (!"extract".equals(template) && !children) continue;
            String jobId = params.get("jobId");
            if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
                throw new ConfigException(file + ": job id '" + jobId + "' (route " + routeId + ") must be letters, digits, '-', '_' or '.', "
                        + "starting with a letter or digit (it names the job's report file)");
            }
            if (jobId.endsWith(DeletionFeeds.SUFFIX)) {
                throw new ConfigException(file + ": job id '" + jobId + "' (route " + routeId + ") ends in " + DeletionFeeds.SUFFIX
                        + ", which names the feed of deletions a sync pulls after itself (<job>" + DeletionFeeds.SUFFIX + "): rename the job");
            }
            String source = params.getOrDefault("source", defaultSource);
            if (!sources.contains(source)) {
                throw new ConfigException(file + ": job " + jobId + " pulls from source '" + source + "', which is not in leadpipe.sources ("
                        + String.join(",", sources) + ")");
            }
            if (children) checkChildren(file, jobId, params, sources);
            String filters = params.get("filters");
            Job job = new Job(jobId, routeId, source, params.get("cron") != null, file, filters == null ? "" : filters);
            Job before = d.jobs.putIfAbsent(jobId, job);
            if (before != null) {
                throw new ConfigException("two jobs have the id '" + jobId + "' (routes " + before.routeId() + " and " + routeId
                        + "); they would share one checkpoint: give each its own jobId");
            }
            d.readSlices(file, job, params.get("slices"), params.get("incremental"));
            if (JobSlices.isAuto(params.get("slices"))) {
                autoSlicesNeedATimeFilter(settings, file, job, params.get("incremental"));
                d.autoSliced.add(jobId);
            }
        }
        d.slices.forEach((job, list) -> list.forEach(slice -> {
            if (d.jobs.containsKey(slice.jobId(job))) {
                throw new ConfigException("slice " + slice.name() + " of job " + job + " would share its checkpoint with job '" + slice.jobId(job)
                        + "': rename one of them");
            }
        }));
        scheduled.forEach((job, routeId) -> {
            if (!d.jobs.containsKey(job)) {
                throw new ConfigException("the schedule " + routeId + " fires job '" + job + "', which no extract route declares (jobs: "
                        + String.join(", ", d.jobs.keySet()) + ")");
            }
        });
        return d;
    }

    /**
     * slices = auto cuts the job by time, on the source's time filter: its lower bound (delta.in = query,
     * delta.param) and its upper bound (delta.until-param). Not with an incremental job: its watermark is that filter.
     */
    private static void autoSlicesNeedATimeFilter(Settings settings, Path file, Job job, String incremental) {
        String p = "leadpipe.source." + job.source() + ".delta.";
        String in = settings.get(p + "in", "").strip();
        String since = settings.get(p + "param", "").strip();
        String until = settings.get(p + "until-param", "").strip();
        if (!in.equalsIgnoreCase("query") || since.isEmpty() || until.isEmpty()) {
            throw new ConfigException(file + ": job " + job.id() + ": slices = auto cuts the job by time, but source " + job.source()
                    + " has no time filter with both bounds: set " + p + "in = query, " + p + "param (the lower bound, inclusive, e.g. updated_since) and "
                    + p + "until-param (the upper bound, exclusive, e.g. updated_before) — or write the slices by hand");
        }
        if (incremental != null && !incremental.isBlank()) {
            throw new ConfigException(file + ": job " + job.id() + ": slices = auto cuts the job on " + since + ", which an incremental job's watermark"
                    + " sets too: drop one of them");
        }
    }

    /** A parent → child job (routes/children.yaml): its child source is declared and its child request has an {id}. */
    private static void checkChildren(Path file, String jobId, Map<String, String> params, List<String> sources) {
        String childSource = params.get("childSource");
        if (childSource == null || !sources.contains(childSource)) {
            throw new ConfigException(file + ": job " + jobId + " reads its children from source '" + childSource
                    + "', which is not in leadpipe.sources (" + String.join(",", sources) + "); set its childSource parameter");
        }
        try {
            io.leadpipe.config.ChildRequest.parse(params.get("children"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": job " + jobId + ": children '" + params.get("children") + "' " + e.getMessage());
        }
    }

    public Map<String, Job> jobs() {
        return jobs;
    }

    /** Whether the job is declared slices = auto (its slices are in its kept plan, store.SlicePlans). */
    public boolean autoSliced(String job) {
        return autoSliced.contains(job);
    }

    /** A job's slices (empty for a job that is one pull). */
    public List<JobSlices.Slice> slicesOf(String job) {
        return slices.getOrDefault(job, List.of());
    }

    private void readSlices(Path file, Job job, String spec, String incremental) {
        List<JobSlices.Slice> list;
        try {
            list = JobSlices.parse(spec, job.filters());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": job " + job.id() + ": slices '" + spec + "': " + e.getMessage());
        }
        if (list.isEmpty()) return;
        if (incremental != null && !incremental.isBlank() && JobSlices.rangeParameters(spec).contains(incremental.strip())) {
            throw new ConfigException(file + ": job " + job.id() + ": its slices cut a range on " + incremental.strip()
                    + ", which is also its incremental watermark: slice on another date filter, or drop one of them");
        }
        for (JobSlices.Slice slice : list) {
            if (!JOB_ID.matcher(slice.jobId(job.id())).matches()) {
                throw new ConfigException(file + ": job " + job.id() + ": slice id '" + slice.jobId(job.id()) + "' is longer than 200 characters");
            }
            if (slice.jobId(job.id()).endsWith(DeletionFeeds.SUFFIX)) {
                throw new ConfigException(file + ": job " + job.id() + ": slice id '" + slice.jobId(job.id()) + "' ends in " + DeletionFeeds.SUFFIX
                        + ", which names the job's feed of deletions: write that slice's value so that its name differs (e.g. another order of its values)");
            }
        }
        slices.put(job.id(), list);
    }

    /** Fails naming the jobs file unless a job that `run` runs (one without a cron) is declared. */
    public void requireSomeJob(Settings settings) {
        if (jobs.values().stream().allMatch(Job::scheduled)) {
            String jobsFile = settings.getText("leadpipe.jobs.file").strip();
            throw new ConfigException("no jobs declared in " + (jobsFile.isEmpty() ? BUNDLED_JOBS + " (or leadpipe.jobs.file)" : jobsFile + " (leadpipe.jobs.file)")
                    + ": add a templatedRoute of the extract template");
        }
    }

    /** Fails with the declared job names unless {@code job} is one of them (null: nothing asked). */
    public void require(String job) {
        if (job != null && !jobs.containsKey(job)) {
            throw new ConfigException("no job named '" + job + "' in the routes (known: " + String.join(", ", jobs.keySet()) + ")");
        }
    }

    /** The jobs file in the repository; a deployment's own jobs file (leadpipe.jobs.file) takes its place. */
    public static final Path BUNDLED_JOBS = Path.of("routes/jobs.yaml");

    /**
     * leadpipe.jobs.file: the deployment's jobs (templatedRoutes of extract and schedule, as in
     * routes/jobs.yaml) in a file of its own, so adding a pull never edits a tracked route file. The route
     * files are loaded as before, with this file in place of routes/jobs.yaml. Safe to apply twice.
     */
    public static void applyJobsFile(Settings settings) {
        String jobsFile = settings.getText("leadpipe.jobs.file").strip();
        if (jobsFile.isEmpty()) return;
        Path file = Path.of(jobsFile);
        if (!Files.isRegularFile(file)) throw new ConfigException("leadpipe.jobs.file " + file + " is not a readable file");
        String pattern = settings.getText("camel.main.routes-include-pattern");
        Path own = file.toAbsolutePath().normalize();
        Path bundled = BUNDLED_JOBS.toAbsolutePath().normalize();
        List<String> entries = new ArrayList<>();
        for (String entry : pattern.split(",")) {
            if (!entry.strip().startsWith("file:") && !entry.isBlank()) entries.add(entry.strip()); // classpath: routes stay as they are
        }
        for (Path route : routeFiles(pattern)) {
            Path absolute = route.toAbsolutePath().normalize();
            if (!absolute.equals(bundled) && !absolute.equals(own)) entries.add("file:" + route);
        }
        entries.add("file:" + file);
        settings.set("camel.main.routes-include-pattern", String.join(",", entries));
    }

    /** The route files these settings load from the file system. */
    public static List<Path> routeFiles(Settings settings) {
        return routeFiles(settings.getText("camel.main.routes-include-pattern"));
    }

    /** The files of camel.main.routes-include-pattern that are on the file system (file:dir/*.yaml, comma-separated). */
    public static List<Path> routeFiles(String includePattern) {
        List<Path> files = new ArrayList<>();
        for (String entry : includePattern.split(",")) {
            entry = entry.trim();
            if (!entry.startsWith("file:")) continue; // classpath: routes are part of the build, checked by its tests
            Path path = Path.of(entry.substring(5));
            String name = path.getFileName() == null ? "" : path.getFileName().toString();
            if (!name.contains("*") && !name.contains("?")) {
                if (Files.isRegularFile(path)) files.add(path);
                continue;
            }
            Path dir = path.getParent() == null ? Path.of(".") : path.getParent();
            if (!Files.isDirectory(dir)) continue;
            try (DirectoryStream<Path> found = Files.newDirectoryStream(dir, name)) {
                List<Path> sorted = new ArrayList<>();
                found.forEach(sorted::add);
                sorted.sort(null);
                files.addAll(sorted);
            } catch (IOException e) {
                throw new ConfigException("cannot list the route files " + path + ": " + e.getMessage());
            }
        }
        return files;
    }

    /**
     * Route files as parsed, by their text: a command reads the declarations several times (the CLI, the wiring,
     * reset), and the tests start hundreds of runs on the same files; the parse was a tenth of a run's start. The
     * file is read each time, so an edit is seen. What is kept cannot be changed by a reader ({@link #frozen}).
     */
    private static final Map<String, List<Map<?, ?>>> PARSED = new java.util.concurrent.ConcurrentHashMap<>();

    private static List<Map<?, ?>> parse(Path file) {
        String text = readText(file);
        List<Map<?, ?>> known = PARSED.get(text);
        if (known != null) return known;
        List<Map<?, ?>> items = maps(frozen(parse(file, text)));
        if (PARSED.size() > 64) PARSED.clear();
        PARSED.put(text, items);
        return items;
    }

    /** The parsed YAML, unmodifiable all the way down: one parse is shared by every reader. */
    private static Object frozen(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put(k, frozen(v)));
            return java.util.Collections.unmodifiableMap(copy);
        }
        if (o instanceof List<?> l) {
            List<Object> copy = new ArrayList<>();
            for (Object e : l) copy.add(frozen(e));
            return java.util.Collections.unmodifiableList(copy);
        }
        return o;
    }

    private static String readText(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException("cannot read the route file " + file + ": " + e.getMessage());
        }
    }

    private static List<Map<?, ?>> parse(Path file, String text) {
        Object doc;
        try {
            doc = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromString(text);
        } catch (MarkedYamlEngineException e) {
            String where = e.getProblemMark().map(m -> " line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1)).orElse("");
            throw new ConfigException("YAML syntax error in " + file + where + ": " + e.getProblem());
        } catch (YamlEngineException e) {
            throw new ConfigException("YAML syntax error in " + file + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (doc == null) return List.of();
        if (!(doc instanceof List<?> list)) throw new ConfigException(file + " is not a list of routes (each entry starts with '- ')");
        return maps(list);
    }

    private static List<Map<?, ?>> maps(Object o) {
        List<Map<?, ?>> out = new ArrayList<>();
        if (o instanceof List<?> list) for (Object e : list) if (e instanceof Map<?, ?> m) out.add(m);
        return out;
    }

    private static Map<?, ?> map(Object o) {
        return o instanceof Map<?, ?> m ? m : null;
    }

    private static String string(Object o) {
        return o == null ? null : o.toString();
    }
}
