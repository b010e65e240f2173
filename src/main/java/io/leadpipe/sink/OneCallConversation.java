package io.leadpipe.sink;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;

/** A conversation of one call (a batch upsert, a batch read): the answer fills {@link #refused} or {@link #held}. */
abstract class OneCallConversation implements CrmConversation {

    private CrmCall pending;
    protected final Map<String, CrmError> refused = new LinkedHashMap<>();
    protected final Map<String, JsonNode> held = new LinkedHashMap<>();

    OneCallConversation(CrmCall call) {
        this.pending = call;
    }

    @Override
    public CrmCall next() {
        return pending;
    }

    @Override
    public void answered(int status, JsonNode answer) {
        pending = null;
        read(answer);
    }

    protected abstract void read(JsonNode answer);

    @Override
    public Map<String, CrmError> refused() {
        return refused;
    }

    @Override
    public Map<String, JsonNode> held() {
        return held;
    }
}
