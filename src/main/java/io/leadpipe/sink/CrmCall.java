package io.leadpipe.sink;

/**
 * One HTTP call to the CRM: method, path after the CRM's URL ({@code leadpipe.sink.crm.url}), the query
 * (already encoded, or null) and the JSON body (or null). {@code recordAnswer}: a 400, 404, 409 or 422
 * (routes/sink.yaml, crm-call) is this one record's refusal (a CRM written record by record), not a failure of
 * the delivery.
 */
public record CrmCall(String method, String path, String query, String body, boolean recordAnswer) {

    public CrmCall(String method, String path, String query, String body) {
        this(method, path, query, body, false);
    }

    public String describe(String url) {
        return method + " " + url + path;
    }
}
