package io.leadpipe.store;

import io.leadpipe.testing.OnPostgres;

/** {@link LongValuesTest} with the store on PostgreSQL. */
@OnPostgres
class LongValuesOnPostgresTest extends LongValuesTest {
}
