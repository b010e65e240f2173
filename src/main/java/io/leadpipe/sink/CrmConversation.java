package io.leadpipe.sink;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/**
 * The calls that write one batch to the CRM, or read one batch back, in the CRM's dialect. A batch upsert
 * is one call; a CRM without upsert (search, then create or update) needs several, each decided by the
 * answer before. routes/sink.yaml asks for the next call until there is none.
 */
public interface CrmConversation {

    /** The call to make now, or null when the conversation is over. */
    CrmCall next();

    /** The answer to {@link #next()}, parsed: a 2xx, or for a {@link CrmCall#recordAnswer} call also a 4xx refusing the record. */
    void answered(int status, JsonNode answer);

    /**
     * {@link #next()} failed and is about to be tried again (Camel's redelivery). A call that may have
     * taken effect without our hearing of it (a create) must not simply be repeated: a dialect changes its
     * next call here (Pipedrive searches again first). Upserts are safe to repeat: the default does nothing.
     */
    default void retrying() {
    }

    /** After a write: the leads the CRM refused, by CRM id (the others were written). */
    Map<String, CrmError> refused();

    /** After a read-back: what the CRM holds, by CRM id: the properties the mapping writes. */
    Map<String, JsonNode> held();
}
