package io.leadpipe.sink;

import io.leadpipe.config.Concurrency;

import java.util.function.IntUnaryOperator;

/**
 * How many staged leads a delivery round takes (bean {@code deliveryRound}): batch-size × the CRM batches it
 * sends at once — leadpipe.sink.crm.concurrency as set, or with auto as many as the CRM's quota rate × its
 * measured answer time × 1.5 need (at most max-concurrency), asked anew each round. A crash leaves at most
 * one round's batches SENDING.
 */
public final class DeliveryRound {

    private final int batchSize;
    private final Concurrency batches;
    private final IntUnaryOperator needed;

    /** @param needed the CRM calls to keep in flight, at most the given bound (ratelimit.ApiQuota#inFlightNeeded) */
    public DeliveryRound(int batchSize, Concurrency batches, IntUnaryOperator needed) {
        this.batchSize = batchSize;
        this.batches = batches;
        this.needed = needed;
    }

    /** The batches of the next round. */
    public int batches() {
        return batches.auto() ? Math.max(1, Math.min(batches.most(), needed.applyAsInt(batches.most()))) : batches.most();
    }

    /** The leads of the next round. */
    public int leads() {
        return batchSize * batches();
    }
}
