package io.leadpipe.sink;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * The endpoint delivery's split (one exchange per lead): each lead's outcome (variable {@code outcome},
 * delivered or dead) is counted on the drain, and the first failure becomes the drain's.
 */
public final class EndpointTally implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange lead, Exchange drain) {
        String outcome = lead.getVariable("outcome", String.class);
        if ("delivered".equals(outcome)) add(drain, "deliveredCount");
        if ("dead".equals(outcome)) add(drain, "deadCount");
        if (lead.getException() != null && drain.getException() == null) {
            drain.setException(lead.getException());
            drain.setVariable("request", lead.getVariable("request"));
        }
        return drain;
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        throw new UnsupportedOperationException("needs the split's input exchange (the drain) to add to");
    }

    private static void add(Exchange drain, String total) {
        drain.setVariable(total, drain.getVariable(total, 0, Integer.class) + 1);
    }
}
