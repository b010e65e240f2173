package io.leadpipe.delta;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What one page says about changes at the source, read from its raw records (before the fields are cut out):
 * the largest updated-at among them (the data watermark, by the API's clock), and the ids of records flagged
 * deleted. Records whose updated-at cannot be read are counted, never guessed.
 *
 * @param largestUpdatedAt the largest updated-at on the page, or null (no pointer, or none readable)
 * @param deletedIds       ids of the records whose deleted flag has the deleted value
 * @param liveIds          ids of the other records (a record deleted before and back is no longer deleted)
 * @param unreadable       records with an updated-at pointer set but no readable time there
 */
public record PageChanges(Instant largestUpdatedAt, List<String> deletedIds, List<String> liveIds, int unreadable) {

    public static final PageChanges NONE = new PageChanges(null, List.of(), List.of(), 0);

    /** Reads the page's records; {@code idPointer} as the source reads ids. */
    public static PageChanges read(DeltaSpec delta, JsonNode records, String idPointer) {
        if (delta == null || !delta.declared() || records == null || !records.isArray()) return NONE;
        Instant largest = null;
        int unreadable = 0;
        List<String> deleted = new ArrayList<>();
        List<String> live = new ArrayList<>();
        for (JsonNode r : records) {
            if (delta.updatedAtPointer() != null) {
                Instant t = UpdatedAt.parse(r.at(delta.updatedAtPointer()));
                if (t == null) unreadable++;
                else largest = UpdatedAt.later(largest, t);
            }
            if (delta.deletedPointer() != null) {
                JsonNode id = r.at(idPointer);
                if (id.isMissingNode() || id.isNull()) continue;
                JsonNode flag = r.at(delta.deletedPointer());
                (!flag.isMissingNode() && flag.asText().equalsIgnoreCase(delta.deletedValue()) ? deleted : live).add(id.asText());
            }
        }
        return new PageChanges(largest, List.copyOf(deleted), List.copyOf(live), unreadable);
    }
}
