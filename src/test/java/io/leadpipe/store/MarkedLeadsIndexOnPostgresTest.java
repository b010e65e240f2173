package io.leadpipe.store;

import io.leadpipe.testing.OnPostgres;

/** {@link MarkedLeadsIndexTest} with the store on PostgreSQL. */
@OnPostgres
class MarkedLeadsIndexOnPostgresTest extends MarkedLeadsIndexTest {
}
