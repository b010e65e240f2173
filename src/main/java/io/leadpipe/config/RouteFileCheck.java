package io.leadpipe.config;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.RoutesLoader;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The route files read by Camel's YAML DSL before the database is opened: a file that is valid YAML but
 * not a valid route for Camel (a step Camel does not know, a misspelt option, a bean that cannot be made)
 * stops leadpipe with one line naming the file and, when Camel says, the line — instead of a stack trace
 * after the database was created. The routes are only read into a context that is never started.
 */
public final class RouteFileCheck {

    /** Files (path and content) already read in this JVM: a test suite starts leadpipe many times on the same files. */
    private static final Set<String> CHECKED = ConcurrentHashMap.newKeySet();

    private RouteFileCheck() {
    }

    public static void check(List<Path> files, Properties properties) {
        List<Path> unchecked = files.stream().filter(f -> !CHECKED.contains(key(f))).toList();
        if (unchecked.isEmpty()) return;
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.setStartupSummaryLevel(org.apache.camel.StartupSummaryLevel.Off); // it is never started: nothing to announce
            context.getPropertiesComponent().setInitialProperties(properties);
            RoutesLoader loader = PluginHelper.getRoutesLoader(context);
            for (Path file : unchecked) {
                try {
                    for (var builder : loader.findRoutesBuilders(ResourceHelper.resolveResource(context, "file:" + file))) context.addRoutes(builder);
                } catch (Exception e) {
                    throw new ConfigException(describe(file, e));
                }
                CHECKED.add(key(file));
            }
        } catch (IOException e) {
            // closing a context that never started: nothing was opened
        }
    }

    /**
     * One line: the file, Camel's position ("line 7, column 11") when its YAML DSL gives one, and what is
     * wrong (the deepest cause, where Camel says what it could not do).
     */
    static String describe(Path file, Throwable e) {
        String where = "";
        String what = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage();
            var at = java.util.regex.Pattern.compile("\\bline (\\d+), column (\\d+)").matcher(message);
            if (where.isEmpty() && at.find()) where = ", line " + at.group(1) + ", column " + at.group(2);
            String first = message.lines().findFirst().orElse("").strip();
            if (!first.isEmpty() && !first.startsWith("Error pre-parsing resource") && !first.startsWith("Error creating bean")) what = first;
            if (t.getCause() == t) break;
        }
        if (what == null) what = e.getClass().getSimpleName();
        return "route file " + file + where + " is not a valid Camel route: " + what;
    }

    private static String key(Path file) {
        try {
            return file.toAbsolutePath().normalize() + "|" + Integer.toHexString(java.util.Arrays.hashCode(Files.readAllBytes(file)));
        } catch (IOException e) {
            return file.toString(); // unreadable: JobDeclarations has already said so
        }
    }
}
