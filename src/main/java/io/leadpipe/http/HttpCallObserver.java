package io.leadpipe.http;

import io.leadpipe.monitor.JobCounters;
import io.leadpipe.monitor.LeadpipeMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;

/**
 * Sees every HTTP attempt when it completes (successful, failed, or a redelivery) and counts it for its
 * job. An event notifier, because a failed attempt never reaches the route step after the call.
 */
public final class HttpCallObserver extends EventNotifierSupport {

    private final JobCounters counters;
    private final LeadpipeMetrics metrics;

    public HttpCallObserver(JobCounters counters, LeadpipeMetrics metrics) {
        this.counters = counters;
        this.metrics = metrics;
        setIgnoreCamelContextEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeFailedEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        // Camel fires "sent" only for sends whose "sending" event someone received, so both are accepted
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return (event instanceof CamelEvent.ExchangeSendingEvent sending && isHttp(sending.getEndpoint().getEndpointUri()))
                || (event instanceof CamelEvent.ExchangeSentEvent sent && isHttp(sent.getEndpoint().getEndpointUri()));
    }

    private static boolean isHttp(String uri) {
        return uri.startsWith("http:") || uri.startsWith("https:");
    }

    @Override
    public void notify(CamelEvent event) {
        if (!(event instanceof CamelEvent.ExchangeSentEvent)) return;
        Exchange exchange = ((CamelEvent.ExchangeSentEvent) event).getExchange();
        String job = exchange.getVariable("jobId", String.class);
        if (job == null) return; // not a job's call (e.g. an alert webhook)
        JobCounters.Counts c = counters.of(job);
        c.requests.incrementAndGet();
        int status = statusOf(exchange);
        if (status == 429) {
            c.rateLimited.incrementAndGet();
            c.consecutive429.incrementAndGet();
        } else {
            c.consecutive429.set(0);
            if (status >= 500) c.serverErrors.incrementAndGet();
            else if (status < 0) c.transportErrors.incrementAndGet();
        }
        // a failure is what the endpoint treated as one (its okStatusCodeRange decides), not a status range here
        c.attempt(System.currentTimeMillis(), exchange.getException() != null);
        if (metrics != null) metrics.request(job, status);
    }

    /** The HTTP status of the attempt, or -1 when no response arrived (timeout, refused, reset). */
    static int statusOf(Exchange exchange) {
        Exception e = exchange.getException();
        if (e instanceof HttpOperationFailedException f) return f.getStatusCode();
        if (e != null) {
            HttpOperationFailedException f = exchange.getException(HttpOperationFailedException.class);
            return f != null ? f.getStatusCode() : -1;
        }
        Integer code = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        return code == null ? -1 : code;
    }
}
