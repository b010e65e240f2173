package io.leadpipe.sink;

import io.leadpipe.testing.OnPostgres;

/** {@link SinkTest} with the store on PostgreSQL. */
@OnPostgres
class SinkOnPostgresTest extends SinkTest {
}
