package io.leadpipe.schedule;

import io.leadpipe.config.Settings;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.impl.StdSchedulerFactory;

import javax.sql.DataSource;
import java.util.Properties;

/**
 * The Quartz scheduler behind scheduled jobs. On PostgreSQL it is Quartz's clustered JDBC job store:
 * every instance sharing the database sees the same triggers, each firing runs on exactly one instance,
 * and a job whose instance died is re-fired elsewhere (recovery). On H2 (one instance) it is in memory.
 */
public final class Schedulers {

    private Schedulers() {
    }

    public static Scheduler create(Settings settings, DataSource dataSource, String dbUrl) throws SchedulerException {
        Properties p = new Properties();
        p.setProperty("org.quartz.scheduler.instanceName", "leadpipe");
        p.setProperty("org.quartz.scheduler.instanceId", "AUTO");
        p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(settings.getInt("leadpipe.jobs.concurrency", 1, 256)));
        if (dbUrl.startsWith("jdbc:postgresql:")) {
            SharedConnectionProvider.use(dataSource);
            p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
            p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
            p.setProperty("org.quartz.jobStore.dataSource", "leadpipe");
            p.setProperty("org.quartz.dataSource.leadpipe.connectionProvider.class", SharedConnectionProvider.class.getName());
            p.setProperty("org.quartz.jobStore.isClustered", "true");
            p.setProperty("org.quartz.jobStore.clusterCheckinInterval", Long.toString(settings.getLong("leadpipe.cluster.checkin-interval-ms", 500, 600_000)));
            p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
        } else {
            p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        }
        return new StdSchedulerFactory(p).getScheduler();
    }
}
