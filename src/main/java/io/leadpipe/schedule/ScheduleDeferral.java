package io.leadpipe.schedule;

import io.leadpipe.ratelimit.WaitTimes;
import io.leadpipe.ratelimit.WaitTooLongException;
import org.apache.camel.Exchange;
import org.apache.camel.component.quartz.QuartzEndpoint;
import org.quartz.Scheduler;
import org.quartz.Trigger;
import org.quartz.TriggerKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Date;

/**
 * A scheduled job stopped because the API asked to come back later than leadpipe.ratelimit.max-wait: its
 * trigger keeps its cron but starts no earlier than that time, so the next firing is the first one at or
 * after it. The trigger lives in Quartz's store, so on PostgreSQL every instance of the cluster honours it.
 */
public final class ScheduleDeferral {

    private static final Logger LOG = LoggerFactory.getLogger("leadpipe.schedule");

    /** Called for a failed scheduled run and for a PAUSED job (routes/schedule.yaml, checkpoint.yaml); acts on a too-long wait only. */
    public void defer(Exchange exchange) throws Exception {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        WaitTooLongException tooLong = find(cause);
        java.time.Instant comeBack = tooLong != null ? tooLong.comeBackAt()
                : exchange.getVariable("pull") instanceof io.leadpipe.job.Pull pull ? pull.pausedUntil() : null;
        if (comeBack == null || !(exchange.getFromEndpoint() instanceof QuartzEndpoint quartz)) return;
        Scheduler scheduler = quartz.getComponent().getScheduler();
        TriggerKey key = quartz.getTriggerKey();
        Trigger trigger = scheduler.getTrigger(key);
        if (trigger == null) return;
        // cron fires on whole seconds and Quartz looks for the first firing from a second before startAt:
        // rounded up, so the next firing is never before the API's time
        java.time.Instant asked = comeBack;
        if (comeBack.getNano() != 0) comeBack = comeBack.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plusSeconds(1);
        Trigger deferred = trigger.getTriggerBuilder().startAt(Date.from(comeBack)).build();
        Date next = scheduler.rescheduleJob(key, deferred);
        LOG.warn("schedule {}: the API asks to come back at {}; next firing {}", key.getName(), WaitTimes.fullDate(asked),
                next == null ? "none (the schedule ends before then)" : WaitTimes.fullDate(next.toInstant()));
    }

    private static WaitTooLongException find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof WaitTooLongException w) return w;
        }
        return null;
    }
}
