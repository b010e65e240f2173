package io.leadpipe.sink;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * The aggregation of one step of the drain (routes/sink.yaml): a round sent to the CRM beside the next one prepared, each on
 * its own copy of the drain. Both count from 0, so their counts are added to the drain's totals; the prepared round becomes
 * the drain's next ({@code variable.prepared}, {@code more}); the first failure of either becomes the drain's, once both
 * have finished.
 */
public final class RoundOverlap implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange branch, Exchange drain) {
        for (String total : new String[]{"deliveredCount", "deadCount"}) DeliveryTally.add(drain, total, branch.getVariable(total, 0, Integer.class));
        if (Boolean.TRUE.equals(branch.getVariable("roundPrepared", Boolean.class))) {
            for (String v : new String[]{"prepared", "more", "roundSize", "batchSize"}) drain.setVariable(v, branch.getVariable(v));
        }
        DeliveryTally.firstFailure(branch, drain);
        return drain;
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        throw new UnsupportedOperationException("needs the multicast's input exchange (the drain) to add to");
    }
}
