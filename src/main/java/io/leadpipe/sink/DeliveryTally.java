package io.leadpipe.sink;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

import java.util.List;

/**
 * The split's aggregation for delivery batches, read-backs and the endpoint sink's leads: each one's outcome (its delivered,
 * invalid, refused, confirmed and to-send-again leads) is added to the drain's totals, and the first
 * failure of any batch becomes the drain's, once every batch of the round has finished. Batches run in
 * parallel; Camel aggregates them one at a time.
 */
public final class DeliveryTally implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange batch, Exchange drain) {
        add(drain, "deliveredCount", size(batch, "delivered"));
        add(drain, "deadCount", size(batch, "invalid") + size(batch, "rejected"));
        add(drain, "confirmedCount", size(batch, "confirmed"));
        add(drain, "sendAgainCount", size(batch, "sendAgain"));
        // the endpoint sink splits one lead per exchange (routes/deliver-endpoint.yaml): its outcome, delivered or dead
        String outcome = batch.getVariable("outcome", String.class);
        if ("delivered".equals(outcome)) add(drain, "deliveredCount", 1);
        if ("dead".equals(outcome)) add(drain, "deadCount", 1);
        if ("removed".equals(outcome)) add(drain, "removedCount", 1);
        if (batch.getException() != null && drain.getException() == null) {
            drain.setException(batch.getException());
            // what failed, for the one line that explains it (FailureExplainer): the batch's request and API
            drain.setVariable("request", batch.getVariable("request"));
            drain.setVariable("source", batch.getVariable("source"));
        }
        return drain;
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        throw new UnsupportedOperationException("needs the split's input exchange (the drain) to add to");
    }

    private static int size(Exchange batch, String variable) {
        List<?> list = batch.getVariable(variable, List.class);
        return list == null ? 0 : list.size();
    }

    private static void add(Exchange drain, String total, int n) {
        drain.setVariable(total, drain.getVariable(total, 0, Integer.class) + n);
    }
}
