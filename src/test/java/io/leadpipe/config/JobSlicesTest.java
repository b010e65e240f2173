package io.leadpipe.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The two forms of a job's slices: filter values, and a time range cut into steps on the API's date filters. */
class JobSlicesTest {

    @Test
    void filterValuesAreSlicesNamedByTheirValues() {
        List<JobSlices.Slice> slices = JobSlices.parse("country=DE | country=FR|industry=Real Estate&country=US", "");
        assertThat(slices).extracting(JobSlices.Slice::name).containsExactly("DE", "FR", "Real_Estate-US");
        assertThat(slices).extracting(JobSlices.Slice::filter).containsExactly("country=DE", "country=FR", "industry=Real+Estate&country=US");
        assertThat(slices.get(0).jobId("by-country")).isEqualTo("by-country.DE");
        assertThat(JobSlices.filtersOf("industry=Software", slices.get(1))).isEqualTo("industry=Software&country=FR");
    }

    @Test
    void aTimeRangeIsCutIntoStepsInclusiveLowerExclusiveUpperTheLastOneShort() {
        List<JobSlices.Slice> slices = JobSlices.parse("updated_since..updated_before from 2026-01-01T00:00:00Z to 2026-01-01T15:00:00Z step 6h", "");
        assertThat(slices).extracting(JobSlices.Slice::name).containsExactly("20260101T000000Z", "20260101T060000Z", "20260101T120000Z");
        assertThat(slices.get(2).filter()).isEqualTo("updated_since=2026-01-01T12%3A00%3A00Z&updated_before=2026-01-01T15%3A00%3A00Z");
    }

    @Test
    void boundsAreSentTheWayFromIsWrittenAndBracketsAreEncodedOnce() {
        assertThat(JobSlices.parse("created[gte]..created[lt] from 1767225600 to 1767398400 step 1d", ""))
                .extracting(JobSlices.Slice::filter)
                .containsExactly("created%5Bgte%5D=1767225600&created%5Blt%5D=1767312000", "created%5Bgte%5D=1767312000&created%5Blt%5D=1767398400");
        assertThat(JobSlices.parse("updated_since..updated_before from 2026-01-31 to 2026-04-30 step P1M", ""))
                .extracting(JobSlices.Slice::filter)
                .containsExactly("updated_since=2026-01-31&updated_before=2026-02-28", "updated_since=2026-02-28&updated_before=2026-03-31",
                        "updated_since=2026-03-31&updated_before=2026-04-30");
        assertThat(JobSlices.rangeParameters("created[gte]..created[lt] from 1 to 2 step 1s")).containsExactly("created[gte]", "created[lt]");
    }

    @Test
    void autoIsCutAtTheFirstRunOptionallyOverARange() {
        assertThat(JobSlices.isAuto("auto")).isTrue();
        assertThat(JobSlices.parse("auto", "")).as("cut from the API's counts at the job's first run").isEmpty();
        assertThat(JobSlices.autoFrom("auto")).isNull();
        assertThat(JobSlices.autoFrom("auto from 2026-01-01")).isEqualTo(java.time.Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(JobSlices.autoTo("auto from 1767225600 to 1767398400")).isEqualTo(java.time.Instant.ofEpochSecond(1767398400));
        assertThat(JobSlices.isAuto("automobile=1")).isFalse();
        assertThatThrownBy(() -> JobSlices.parse("auto from 2026-02-01 to 2026-01-01", "")).hasMessageContaining("from 2026-02-01 must be before to 2026-01-01");
        assertThatThrownBy(() -> JobSlices.parse("auto from yesterday", "")).hasMessageContaining("from 'yesterday' is not an ISO-8601 instant");
    }

    @Test
    void mistakesAreRefusedSayingWhat() {
        assertThatThrownBy(() -> JobSlices.parse("country=DE|country=DE", "")).hasMessageContaining("two slices are named 'DE'");
        assertThatThrownBy(() -> JobSlices.parse("country=DE||country=FR", "")).hasMessageContaining("an empty slice");
        assertThatThrownBy(() -> JobSlices.parse("DE|FR", "")).hasMessageContaining("is not name=value");
        assertThatThrownBy(() -> JobSlices.parse("country=DE|country=FR", "industry=Software&country=DE")).hasMessageContaining("which the job's filters set already");
        assertThatThrownBy(() -> JobSlices.parse("a..b from 2026-01-02 to 2026-01-01 step 1d", "")).hasMessageContaining("must be before");
        assertThatThrownBy(() -> JobSlices.parse("a..b from 2026-01-01 to 2026-01-02T00:00:00Z step 1d", "")).hasMessageContaining("written the same way");
        assertThatThrownBy(() -> JobSlices.parse("a..b from 2026-01-01 to 2026-01-02 step 6h", "")).hasMessageContaining("not whole days");
        assertThatThrownBy(() -> JobSlices.parse("a..b from 2026-01-01 to 2026-01-02 step soon", "")).hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> JobSlices.parse("a..b from yesterday to 2026-01-02 step 1d", "")).hasMessageContaining("from 'yesterday' is not");
        assertThatThrownBy(() -> JobSlices.parse("a..b from 2026-01-01T00:00:00Z to 2027-01-01T00:00:00Z step 1m", "")).hasMessageContaining("more than 1000");
    }
}
