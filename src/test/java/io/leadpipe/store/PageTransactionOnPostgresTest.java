package io.leadpipe.store;

import io.leadpipe.testing.OnPostgres;

/** {@link PageTransactionTest} with the store on PostgreSQL. */
@OnPostgres
class PageTransactionOnPostgresTest extends PageTransactionTest {
}
