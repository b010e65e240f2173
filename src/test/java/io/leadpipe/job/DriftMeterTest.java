package io.leadpipe.job;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DriftMeterTest {

    @Test
    void deletesDuringAnOffsetPullMayHaveSkippedRecords() {
        DriftMeter.Drift d = DriftMeter.assess(true, 5000L, 4991L, 0, 0, "all-leads");
        assertThat(d.sentence()).contains("5000 → 4991 (-9)").contains("up to 9 records may have been skipped").contains("leadpipe verify all-leads");
        assertThat(d.records()).isEqualTo(9);
    }

    @Test
    void insertsShowAsRecordsSeenTwice() {
        DriftMeter.Drift d = DriftMeter.assess(true, 5000L, 5004L, 4, 0, "j");
        assertThat(d.sentence()).contains("(+4) and 4 records were seen twice");
        assertThat(d.records()).isEqualTo(8);
    }

    @Test
    void cursorPagingIsNotShiftedByChanges() {
        assertThat(DriftMeter.assess(false, 5000L, 4000L, 10, 0, "j")).isNull();
    }

    @Test
    void driftWithinTheThresholdIsNotReported() {
        assertThat(DriftMeter.assess(true, 5000L, 4998L, 1, 3, "j")).isNull();
        assertThat(DriftMeter.assess(true, 5000L, 4998L, 2, 3, "j")).isNotNull();
    }

    @Test
    void noTotalNoSeenTwiceNoDrift() {
        assertThat(DriftMeter.assess(true, null, null, 0, 0, "j")).isNull();
    }
}
