package io.leadpipe.job;

import io.leadpipe.testing.OnPostgres;

/** {@link ManyJobsTest} with the store on PostgreSQL. */
@OnPostgres
class ManyJobsOnPostgresTest extends ManyJobsTest {
}
