package io.leadpipe.testing;

import io.leadpipe.store.Database;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A test's own workspace and its store, migrated and open, for tests of the store's classes without Camel ({@code @RegisterExtension}). */
public final class MigratedDatabase implements BeforeEachCallback, AfterEachCallback {

    private TestWorkspace workspace;
    private Database db;

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        workspace = new TestWorkspace();
        db = workspace.openDatabase();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        db.close();
        workspace.close();
    }

    public TestWorkspace workspace() {
        return workspace;
    }

    public Database db() {
        return db;
    }
}
