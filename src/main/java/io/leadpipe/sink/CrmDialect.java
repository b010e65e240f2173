package io.leadpipe.sink;

import java.util.List;
import java.util.Map;

/**
 * How one CRM is written and read back (routes/sink.yaml calls these through {@link SinkBatch}). A lead
 * to write is a map with {@code crm_id} (the value of the id / external-id field) and {@code properties}
 * (what the mapping made of it).
 */
public interface CrmDialect {

    /** The CRM's name in messages: "HubSpot", "Salesforce". */
    String name();

    /** The most records one write call takes. */
    int batchLimit();

    CrmConversation write(List<Map<String, Object>> leads);

    /** Reads back the leads a crash left in doubt, by CRM id. */
    CrmConversation read(List<String> crmIds);

    /**
     * Removes the records of leads deleted at the source ({@code leadpipe.sink.crm.on-deleted = delete}), by CRM id, through
     * the CRM's own delete (or archive) call. A record the CRM no longer holds counts as removed, so a removal whose answer
     * was lost is simply asked again; {@link CrmConversation#refused()} names the records the CRM would not remove.
     */
    CrmConversation remove(List<String> crmIds);
}
