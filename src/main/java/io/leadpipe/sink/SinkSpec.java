package io.leadpipe.sink;

import io.leadpipe.config.ApiKeys;
import io.leadpipe.config.Concurrency;
import io.leadpipe.config.ConfigException;
import io.leadpipe.config.Settings;
import io.leadpipe.ratelimit.QuotaWindows;
import io.leadpipe.ratelimit.RateLimitHeaderNames;
import io.leadpipe.ratelimit.RateLimitRules;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Everything about the CRM leads are delivered to, built once from the settings (a sink profile,
 * {@code leadpipe.sink.crm.profile}, layered under them) and checked in one place: its dialect (how it is
 * written and read back), URL, batch limits, the id / external-id field and the mapping, and its quota
 * signals, and what becomes of a delivered lead deleted at the source ({@code removesDeleted}: deleted in the CRM, or left).
 * Credentials are resolved with the sources' (auth.SourceAuthFactory, {@code leadpipe.sink.crm.auth*}).
 */
public record SinkSpec(String profile, CrmDialect dialect, String url, int batchSize, CrmMapping mapping,
                       int maxRequestsPerSecond, Concurrency concurrency, RateLimitHeaderNames headerNames, QuotaWindows quota,
                       RateLimitRules rateLimitRules, boolean removesDeleted) {

    public static final List<String> DIALECTS = List.of("hubspot", "salesforce", "pipedrive", "dataverse", "zoho");
    /** leadpipe.sink.crm.on-deleted: a delivered lead deleted at the source is left in the CRM, or deleted there (HubSpot: archived). */
    public static final List<String> ON_DELETED = List.of("ignore", "delete");
    private static final String P = "leadpipe.sink.crm.";

    public static SinkSpec from(Settings s) {
        String dialect = s.getText(P + "dialect").toLowerCase(Locale.ROOT);
        if (!DIALECTS.contains(dialect)) throw s.invalid(P + "dialect", dialect, "must be one of " + String.join(", ", DIALECTS));
        String url = s.require(P + "url");
        if (!url.startsWith("http://") && !url.startsWith("https://")) throw s.invalid(P + "url", url, "must start with http:// or https://");
        String onDeleted = s.getText(P + "on-deleted").trim().toLowerCase(Locale.ROOT);
        if (!ON_DELETED.contains(onDeleted)) throw s.invalid(P + "on-deleted", onDeleted, "must be one of " + String.join(", ", ON_DELETED));
        while (url.endsWith("/")) url = url.substring(0, url.length() - 1);
        CrmMapping mapping = CrmMapping.load(Path.of(s.getText("leadpipe.sink.mapping")));
        String object = s.getText(P + "object");
        String apiVersion = s.getText(P + "api-version");
        if (dialect.equals("dataverse")) {
            if (!object.matches("[a-z][a-z0-9_]*")) throw s.invalid(P + "object", object, "must name the table's entity set, e.g. contacts or leads");
            if (!apiVersion.matches("\\d+\\.\\d")) throw s.invalid(P + "api-version", apiVersion, "must be a Web API version such as 9.2");
        }
        if (dialect.equals("zoho")) {
            if (!object.matches("[A-Za-z][A-Za-z0-9_]*")) throw s.invalid(P + "object", object, "must name the module's API name, e.g. Leads or Contacts");
            if (!apiVersion.matches("v\\d+")) throw s.invalid(P + "api-version", apiVersion, "must be an API version such as v7");
        }
        if (dialect.equals("salesforce")) {
            if (!object.matches("[A-Za-z][A-Za-z0-9_]*")) throw s.invalid(P + "object", object, "must name the sObject to upsert, e.g. Lead or Contact");
            if (!apiVersion.matches("\\d+\\.\\d")) throw s.invalid(P + "api-version", apiVersion, "must be a REST API version such as 60.0 (46.0 or later)");
            if (!mapping.idProperty().matches("[A-Za-z][A-Za-z0-9_]*")) {
                throw new ConfigException("the mapping's idProperty '" + mapping.idProperty() + "' must be the external-id field's API name, e.g. Leadpipe_Email__c");
            }
        }
        CrmDialect crm = switch (dialect) {
            case "salesforce" -> new SalesforceDialect(object, mapping.idProperty(), apiVersion, mapping.properties());
            case "pipedrive" -> new PipedriveDialect(mapping.idProperty());
            case "dataverse" -> new DataverseDialect(object, mapping.idProperty(), apiVersion, mapping.properties());
            case "zoho" -> new ZohoDialect(object, mapping.idProperty(), apiVersion, mapping.properties());
            default -> new HubSpotDialect(mapping.idProperty(), mapping.properties());
        };
        // the CRM's own limit per write call bounds the batch
        int batchSize = s.getInt("leadpipe.sink.batch-size", 1, crm.batchLimit());
        RateLimitRules rules;
        String rulesText = s.getText(P + "rate-limit-rules");
        try {
            rules = RateLimitRules.parse(rulesText);
        } catch (IllegalArgumentException e) {
            throw s.invalid(P + "rate-limit-rules", rulesText, e.getMessage());
        }
        return new SinkSpec(s.getText(P + "profile"), crm, url, batchSize, mapping, s.getInt(P + "max-requests-per-second", 1, 100_000), batches(s),
                headerNames(s), QuotaWindows.read(new ApiKeys(s, P, "sink API 'crm'")), rules, onDeleted.equals("delete"));
    }

    /** CRM batches in flight at once: leadpipe.sink.crm.concurrency (auto: at most leadpipe.sink.crm.max-concurrency). */
    public static Concurrency batches(Settings s) {
        return Concurrency.read(s, P + "concurrency", P + "max-concurrency");
    }

    /** leadpipe.sink.crm.headers.* (a sink profile sets them); before sink profiles they were leadpipe.source.crm.headers.*, still read. */
    private static RateLimitHeaderNames headerNames(Settings s) {
        for (String k : s.asProperties().stringPropertyNames()) {
            if (k.startsWith(P + "headers.") && s.get(k) != null) return RateLimitHeaderNames.read(new ApiKeys(s, P, "sink API 'crm'"));
        }
        return RateLimitHeaderNames.read(ApiKeys.source(s, "crm"));
    }
}
