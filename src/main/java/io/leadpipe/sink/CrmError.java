package io.leadpipe.sink;

import java.util.List;

/** A record the CRM refused, in its own words: its code, its message, and the fields it named (maybe none). */
public record CrmError(String code, String message, List<String> fields) {

    public CrmError {
        fields = fields == null ? List.of() : List.copyOf(fields);
    }
}
