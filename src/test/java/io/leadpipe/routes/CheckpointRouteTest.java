package io.leadpipe.routes;

import io.leadpipe.TestWorkspace;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * routes/checkpoint.yaml, store-page: a page's leads, its fingerprint and the checkpoint commit in one
 * transaction. A failure woven in just before the checkpoint save (step id save-checkpoint) must take the
 * page's leads and fingerprint back with it.
 */
class CheckpointRouteTest extends RouteTestSupport {

    @Test
    void aFailureBeforeTheCheckpointSaveLeavesNoneOfThePage() throws Exception {
        simulator(500);
        start(allLeadsJob(), PULL);
        AtomicInteger saves = new AtomicInteger();
        advise("store-page", a -> a.weaveById("save-checkpoint").before().process(e -> {
            if (saves.incrementAndGet() == 2) throw new IllegalStateException("injected before the checkpoint save of page 2");
        }));

        assertThat(app.runJob("all-leads").status()).isEqualTo("FAILED");

        Map<String, Object> cp = ws.checkpoint("all-leads");
        assertThat(cp.get("status")).isEqualTo("FAILED");
        assertThat(((Number) cp.get("page_no")).intValue()).as("the last committed page").isEqualTo(1);
        assertThat(new TreeSet<>(ws.storedLeadKeys())).as("page 2's leads were rolled back with its checkpoint")
                .isEqualTo(TestWorkspace.idsOf(0, 100));
        assertThat(count("SELECT COUNT(*) FROM CAMEL_MESSAGEPROCESSED WHERE processorName = 'leadpipe-pages'"))
                .as("page fingerprints: page 2's was rolled back too").isEqualTo(1);
    }
}
