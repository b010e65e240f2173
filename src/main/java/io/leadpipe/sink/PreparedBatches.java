package io.leadpipe.sink;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

import java.util.List;
import java.util.Map;

/**
 * The aggregation of a round being prepared (routes/sink.yaml, sink-prepare-round): each batch mapped and marked SENDING
 * joins {@code variable.prepared} (its valid leads, in order), ready for the CRM; its invalid leads count as dead, and the
 * first failure becomes the round's, as in {@link DeliveryTally}. Batches are prepared one after the other.
 */
public final class PreparedBatches implements AggregationStrategy {

    private final DeliveryTally tally = new DeliveryTally();

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange batch, Exchange round) {
        tally.aggregate(oldExchange, batch, round);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> valid = batch.getVariable("valid", List.class);
        @SuppressWarnings("unchecked")
        List<List<Map<String, Object>>> prepared = round.getVariable("prepared", List.class);
        if (batch.getException() == null && valid != null && !valid.isEmpty()) prepared.add(valid);
        return round;
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        throw new UnsupportedOperationException("needs the split's input exchange (the round) to add to");
    }
}
