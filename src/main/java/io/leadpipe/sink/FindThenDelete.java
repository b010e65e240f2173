package io.leadpipe.sink;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A removal in a CRM that deletes by its own record id: the records are first found by CRM id (the dialect's read-back),
 * then the ones found are deleted. One not found is already gone: removed. A delete that fails and is retried finds them
 * again first, so a delete that took effect unheard is never sent twice.
 */
abstract class FindThenDelete extends RecordingConversation {

    private final Supplier<CrmConversation> find;
    private CrmConversation finding;
    private final Deque<CrmCall> deletes = new ArrayDeque<>();
    /** The CRM's record id → the CRM id (the mapping's id value) it was found by. */
    protected final Map<String, String> crmIdOf = new LinkedHashMap<>();

    FindThenDelete(Supplier<CrmConversation> find) {
        this.find = find;
        this.finding = find.get();
    }

    /** The CRM's own record id in what the read-back holds. */
    abstract String recordId(JsonNode held);

    /** The delete calls for these record ids (in the CRM's batches). */
    abstract List<CrmCall> deletes(List<String> recordIds);

    /** A delete call's answer: records the CRM refused to remove go to {@link #refused}. */
    abstract void deleted(int status, JsonNode answer);

    @Override
    public CrmCall next() {
        if (finding != null) {
            CrmCall call = finding.next();
            if (call != null) return call;
            finding.held().forEach((crmId, held) -> {
                String id = recordId(held);
                if (id != null && !id.isEmpty()) crmIdOf.put(id, crmId);
            });
            finding = null;
            if (!crmIdOf.isEmpty()) deletes.addAll(deletes(new ArrayList<>(crmIdOf.keySet())));
        }
        return deletes.peek();
    }

    @Override
    public void answered(int status, JsonNode answer) {
        if (finding != null) {
            finding.answered(status, answer);
            return;
        }
        deletes.poll();
        deleted(status, answer);
    }

    @Override
    public void retrying() {
        if (finding != null) {
            finding.retrying();
            return;
        }
        // a delete may have taken effect before its answer was lost: look again, and delete only what is still there
        deletes.clear();
        crmIdOf.clear();
        finding = find.get();
    }
}
