package io.leadpipe.job;

import io.leadpipe.testing.OnPostgres;

/** {@link FullPullTest} with the store on PostgreSQL. */
@OnPostgres
class FullPullOnPostgresTest extends FullPullTest {
}
