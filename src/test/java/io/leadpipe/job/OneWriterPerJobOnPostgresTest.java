package io.leadpipe.job;

import io.leadpipe.testing.OnPostgres;

/** {@link OneWriterPerJobTest} with the store on PostgreSQL. */
@OnPostgres
class OneWriterPerJobOnPostgresTest extends OneWriterPerJobTest {
}
