package io.leadpipe.store;

import io.leadpipe.job.Pull;
import org.apache.camel.AsyncProcessor;
import org.apache.camel.NamedNode;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.spi.TransactedPolicy;
import org.apache.camel.support.AsyncProcessorConverterHelper;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The policy behind {@code transacted: { ref: pageTransaction }}: the rest of the route runs in one JDBC
 * transaction on the leads database (Spring's DataSourceTransactionManager, which camel-sql brings).
 * camel-sql, the JDBC idempotent repository and our stores all take the thread's transactional
 * connection, so what they write commits together — or, when a step fails, not at all. A page the database
 * rolled back to break a deadlock (PageConflictException) is stored again by the caller's redelivery, in a new
 * transaction (routes/errors.yaml, pageConflictRetries).
 */
public final class PageTransaction implements TransactedPolicy {

    private final TransactionTemplate template;

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
            Pull pull = exchange.getVariable("pull", Pull.class);
            if (pull != null) pull.storeLock().lock();
            try {
                template.executeWithoutResult(tx -> {
                    try {
                        steps.process(exchange); // synchronous: the transaction is bound to this thread
                    } catch (Exception e) {
                        exchange.setException(e);
                    }
                    if (exchange.getException() != null || exchange.isRollbackOnly()) tx.setRollbackOnly();
                });
            } catch (RuntimeException rollbackFailed) {
                // the page failed, then so did its rollback (on a full disk the pool had closed the connection as broken):
                // the page's failure is what the job reports, not "Connection is closed"
                Exception failure = exchange.getException();
                if (failure == null) throw rollbackFailed;
                failure.addSuppressed(rollbackFailed);
            } finally {
                if (pull != null) pull.storeLock().unlock();
            }
        };
    }
}
