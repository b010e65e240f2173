package io.leadpipe.delta;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Each watermark format writes what its vendor documents, rounded down, and reads back to the same instant (at its precision). */
class WatermarkFormatTest {

    private static final Instant T = Instant.parse("2026-12-05T04:03:02.987654Z");

    @Test
    void eachFormatWritesItsVendorsForm() {
        assertThat(WatermarkFormat.ISO_8601.format(T)).isEqualTo("2026-12-05T04:03:02Z");
        assertThat(WatermarkFormat.ISO_8601_MILLIS.format(T)).isEqualTo("2026-12-05T04:03:02.987Z");
        assertThat(WatermarkFormat.ISO_8601_OFFSET.format(T)).isEqualTo("2026-12-05T04:03:02+00:00");
        assertThat(WatermarkFormat.EPOCH_SECONDS.format(T)).isEqualTo("1796443382");
        assertThat(WatermarkFormat.EPOCH_MILLIS.format(T)).isEqualTo("1796443382987");
        assertThat(WatermarkFormat.DATE.format(T)).isEqualTo("2026-12-05");
        // IMF-fixdate: a two-digit day, GMT
        assertThat(WatermarkFormat.HTTP_DATE.format(T)).isEqualTo("Sat, 05 Dec 2026 04:03:02 GMT");
        // Pipedrive v1 recents since_timestamp: "The timestamp in UTC. Format: YYYY-MM-DD HH:MM:SS"
        assertThat(WatermarkFormat.SQL_DATETIME.format(T)).isEqualTo("2026-12-05 04:03:02");
    }

    @Test
    void roundingIsAlwaysDownSoADeltaAsksForMoreNeverLess() {
        for (WatermarkFormat f : WatermarkFormat.values()) {
            Instant back = UpdatedAt.parse(f.format(T));
            assertThat(back).as(f.setting()).isNotNull();
            assertThat(back).as(f.setting()).isBeforeOrEqualTo(T);
        }
        assertThat(UpdatedAt.parse(WatermarkFormat.EPOCH_SECONDS.format(Instant.parse("1969-12-31T23:59:59.500Z"))))
                .as("before 1970 too: floor, not toward zero").isEqualTo(Instant.parse("1969-12-31T23:59:59Z"));
    }

    @Test
    void namesAreTheSettingsValues() {
        assertThat(WatermarkFormat.named(" EPOCH-millis ")).isEqualTo(WatermarkFormat.EPOCH_MILLIS);
        assertThat(WatermarkFormat.named("rfc3339")).isNull();
        assertThat(WatermarkFormat.names()).isEqualTo("iso-8601, iso-8601-millis, iso-8601-offset, epoch-seconds, epoch-millis, date, http-date, sql-datetime");
    }

    @Test
    void updatedAtValuesOfEveryVendorReadBack() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Instant s = Instant.parse("2023-02-08T05:30:20Z");
        // GitHub, Pipedrive v2, Outreach
        assertThat(UpdatedAt.parse("2023-02-08T05:30:20Z")).isEqualTo(s);
        // HubSpot updatedAt / lastmodifieddate
        assertThat(UpdatedAt.parse("2023-02-08T05:30:20.678Z")).isEqualTo(s.plusMillis(678));
        // Salesforce SystemModstamp: an offset without a colon
        assertThat(UpdatedAt.parse("2023-02-08T05:30:20.000+0000")).isEqualTo(s);
        // Zoho Modified_Time: a local offset
        assertThat(UpdatedAt.parse("2023-02-08T11:00:20+05:30")).isEqualTo(s);
        // Pipedrive v1 update_time: local form, UTC
        assertThat(UpdatedAt.parse("2023-02-08 05:30:20")).isEqualTo(s);
        assertThat(UpdatedAt.parse("2023-02-08T05:30:20")).isEqualTo(s);
        assertThat(UpdatedAt.parse("2023-02-08")).isEqualTo(Instant.parse("2023-02-08T00:00:00Z"));
        assertThat(UpdatedAt.parse("Wed, 08 Feb 2023 05:30:20 GMT")).isEqualTo(s);
        // Stripe created: epoch seconds as a number; HubSpot search values: epoch ms as text
        assertThat(UpdatedAt.parse(json.readTree("1675834220"))).isEqualTo(s);
        assertThat(UpdatedAt.parse(json.readTree("\"1675834220000\""))).isEqualTo(s);
        assertThat(UpdatedAt.parse(json.readTree("1675834220000"))).isEqualTo(s);
        // not a time: null, never a guess
        assertThat(UpdatedAt.parse(json.readTree("null"))).isNull();
        assertThat(UpdatedAt.parse(json.readTree("true"))).isNull();
        assertThat(UpdatedAt.parse("yesterday")).isNull();
        assertThat(UpdatedAt.parse("2023-13-45T00:00:00Z")).isNull();
        assertThat(UpdatedAt.parse(json.readTree("{}").get("missing"))).isNull();
    }

    @Test
    void theLaterOfTwo() {
        Instant a = Instant.parse("2023-02-08T05:30:20Z");
        assertThat(UpdatedAt.later(null, a)).isEqualTo(a);
        assertThat(UpdatedAt.later(a, null)).isEqualTo(a);
        assertThat(UpdatedAt.later(a, a.plusSeconds(1))).isEqualTo(a.plusSeconds(1));
        assertThat(UpdatedAt.later(null, null)).isNull();
    }
}
