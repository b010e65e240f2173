package io.leadpipe.job;

import io.leadpipe.testing.OnPostgres;

/** {@link OverlappingJobsTest} with the store on PostgreSQL. */
@OnPostgres
class OverlappingJobsOnPostgresTest extends OverlappingJobsTest {
}
