package io.leadpipe.source;

import io.leadpipe.testing.OnPostgres;

/** {@link SourcesKeepTheirLeadsTest} with the store on PostgreSQL. */
@OnPostgres
class SourcesKeepTheirLeadsOnPostgresTest extends SourcesKeepTheirLeadsTest {
}
