package io.leadpipe.job;

import io.leadpipe.testing.OnPostgres;

/** {@link ResumeFromCheckpointTest} with the store on PostgreSQL. */
@OnPostgres
class ResumeFromCheckpointOnPostgresTest extends ResumeFromCheckpointTest {
}
