package io.leadpipe.delta;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static io.leadpipe.delta.DeltaSpecTest.spec;
import static org.assertj.core.api.Assertions.assertThat;

/** A page's data watermark and deletions, read from its raw records as the source's delta describes them. */
class PageChangesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theLargestUpdatedAtAndTheDeletedFlagsOfAPage() throws Exception {
        DeltaSpec salesforce = spec("delta.in", "none", "delta.updated-at-pointer", "/SystemModstamp", "delta.deleted-pointer", "/IsDeleted");
        PageChanges p = PageChanges.read(salesforce, JSON.readTree("""
                [{"Id":"a","SystemModstamp":"2026-12-05T10:00:00.000+0000","IsDeleted":false},
                 {"Id":"b","SystemModstamp":"2026-12-05T12:30:00.000+0000","IsDeleted":true},
                 {"Id":"c","SystemModstamp":null,"IsDeleted":false},
                 {"Id":"d","SystemModstamp":"2026-12-05T11:00:00.000+0000"}]"""), "/Id");
        assertThat(p.largestUpdatedAt()).isEqualTo(Instant.parse("2026-12-05T12:30:00Z"));
        assertThat(p.deletedIds()).containsExactly("b");
        assertThat(p.liveIds()).containsExactly("a", "c", "d");
        assertThat(p.unreadable()).as("a record without a readable updated-at is counted, not guessed").isEqualTo(1);
    }

    @Test
    void aFlagOfAnotherValueAndNoDeltaAtAll() throws Exception {
        DeltaSpec custom = spec("delta.in", "none", "delta.deleted-pointer", "/status", "delta.deleted-value", "REMOVED");
        PageChanges p = PageChanges.read(custom, JSON.readTree("[{\"id\":1,\"status\":\"removed\"},{\"id\":2,\"status\":\"active\"}]"), "/id");
        assertThat(p.deletedIds()).containsExactly("1");
        assertThat(p.largestUpdatedAt()).isNull();
        assertThat(PageChanges.read(spec(), JSON.readTree("[{\"id\":1}]"), "/id")).isEqualTo(PageChanges.NONE);
        assertThat(PageChanges.read(null, JSON.readTree("[]"), "/id").deletedIds()).isEqualTo(List.of());
    }
}
