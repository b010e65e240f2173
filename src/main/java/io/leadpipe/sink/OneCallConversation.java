package io.leadpipe.sink;

import com.fasterxml.jackson.databind.JsonNode;


/** A conversation of one call (a batch upsert, a batch read): the answer fills {@link #refused} or {@link #held}. */
abstract class OneCallConversation extends RecordingConversation {

    private CrmCall pending;

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
}
