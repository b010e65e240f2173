package io.leadpipe.sink;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;

/** What a conversation learned from its answers: the leads the CRM refused, or what it holds (a read-back). */
abstract class RecordingConversation implements CrmConversation {

    protected final Map<String, CrmError> refused = new LinkedHashMap<>();
    protected final Map<String, JsonNode> held = new LinkedHashMap<>();

    @Override
    public final Map<String, CrmError> refused() {
        return refused;
    }

    @Override
    public final Map<String, JsonNode> held() {
        return held;
    }
}
