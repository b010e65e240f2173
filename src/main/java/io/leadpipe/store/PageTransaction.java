package io.leadpipe.store;

import io.leadpipe.job.PullState;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.spi.TransactedPolicy;
import org.apache.camel.support.AsyncProcessorConverterHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The policy behind {@code transacted: { ref: pageTransaction }}: the rest of the route runs in one JDBC
 * transaction on the leads database (Spring's DataSourceTransactionManager, which camel-sql brings).
 * camel-sql, the JDBC idempotent repository and our stores all take the thread's transactional
 * connection, so what they write commits together — or, when a step fails, not at all. When the database
 * rolls the page back to break a deadlock with another job storing the same leads, the page is stored again.
 */
public final class PageTransaction implements TransactedPolicy {

    /** A page the database keeps rolling back is stored this many times at most; then the job fails as for any database error. */
    static final int ATTEMPTS = 5;
    private static final Logger LOG = LoggerFactory.getLogger("leadpipe.extract");

    private final TransactionTemplate template;
    private final AtomicLong conflicts = new AtomicLong();

    public PageTransaction(DataSourceTransactionManager manager) {
        this.template = new TransactionTemplate(manager);
    }

    @Override
    public void beforeWrap(Route route, NamedNode definition) {
        // nothing to prepare: the transaction is opened per exchange in wrap
    }

    @Override
    public Processor wrap(Route route, Processor processor) {
        AsyncProcessor steps = AsyncProcessorConverterHelper.convert(processor);
        return exchange -> {
            // parallel pages of one pull are stored one at a time: the checkpoint a page saves counts only committed pages
            PullState pull = exchange.getVariable("pull", PullState.class);
            if (pull != null) pull.storeLock().lock();
            try {
                for (int attempt = 1; ; attempt++) {
                    inOneTransaction(steps, exchange);
                    PageConflictException conflict = exchange.getException(PageConflictException.class);
                    if (conflict == null || attempt == ATTEMPTS) return;
                    // rolled back whole, before the pull's position moved: the page is stored again from the start
                    conflicts.incrementAndGet();
                    LOG.info("{}; storing it again (attempt {} of {})", conflict.getMessage(), attempt + 1, ATTEMPTS);
                    exchange.setException(null);
                    exchange.setRollbackOnly(false);
                    pause(attempt);
                }
            } finally {
                if (pull != null) pull.storeLock().unlock();
            }
        };
    }

    private void inOneTransaction(AsyncProcessor steps, Exchange exchange) {
        template.executeWithoutResult(tx -> {
            try {
                steps.process(exchange); // synchronous: the transaction is bound to this thread
            } catch (Exception e) {
                exchange.setException(e);
            }
            if (exchange.getException() != null || exchange.isRollbackOnly()) tx.setRollbackOnly();
        });
    }

    /** A short random pause that grows with the attempts, so the two writers do not meet again at once. */
    private static void pause(int attempt) throws InterruptedException {
        Thread.sleep(ThreadLocalRandom.current().nextLong(10, 50L * attempt + 1));
    }

    /** Pages stored again after the database rolled their transaction back (a deadlock with another writer). */
    public long conflictsRetried() {
        return conflicts.get();
    }
}
