package io.leadpipe.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.leadpipe.config.ConfigException;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Source fields → CRM properties, as configuration (routes/mapping/crm.yaml). Each property takes its
 * value {@code from} a field (dotted paths reach into nested objects and the enrichment, and a list
 * means "the first that is not empty"), or {@code join}s several, or {@code split}s one, or is a
 * {@code constant}; then {@code transform}s (trim, lower, upper) and a {@code default} apply, and a
 * {@code required} property that ends up empty makes the lead invalid, with the reason.
 */
public final class CrmMapping {

    /** One lead mapped: the CRM id and properties, or why it cannot be sent. */
    public record Result(String id, Map<String, Object> properties, String invalidReason) {}

    private record Field(String property, List<String> from, List<String> join, String separator,
                         String splitFrom, String splitOn, int splitPart, Object constant,
                         List<String> transforms, Object defaultValue, boolean required) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final String idProperty;
    private final List<Field> fields;
    /** Each property's line in the file (number and text), so an error can point at the line that made the value. */
    private final Map<String, String> lines;

    private CrmMapping(Path file, String idProperty, List<Field> fields, Map<String, String> lines) {
        this.file = file;
        this.idProperty = idProperty;
        this.fields = fields;
        this.lines = lines;
    }

    /** The CRM properties this mapping writes, in file order. */
    public List<String> properties() {
        return fields.stream().map(Field::property).toList();
    }

    /**
     * Where a CRM field comes from, for a dead letter: {@code salesforce.yaml line 9: Company: { from: company }},
     * or that the mapping does not write it. Field names are compared ignoring case (Salesforce's are).
     */
    public String lineOf(String property) {
        for (Map.Entry<String, String> e : lines.entrySet()) {
            if (e.getKey().equalsIgnoreCase(property)) return file.getFileName() + " " + e.getValue();
        }
        return "not written by " + file.getFileName();
    }

    public String idProperty() {
        return idProperty;
    }

    @SuppressWarnings("unchecked")
    public static CrmMapping load(Path file) {
        Object doc;
        try {
            doc = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
        } catch (IOException e) {
            throw new ConfigException("cannot read the CRM mapping " + file + " (" + e.getClass().getSimpleName() + ")");
        } catch (RuntimeException e) {
            throw new ConfigException("the CRM mapping " + file + " is not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!(doc instanceof Map<?, ?> root) || !(root.get("properties") instanceof Map<?, ?> props)) {
            throw new ConfigException("the CRM mapping " + file + " needs a 'properties:' map (see docs/how-to/deliver.md, CRM mapping)");
        }
        String idProperty = root.get("idProperty") == null ? "email" : String.valueOf(root.get("idProperty"));
        List<Field> fields = new ArrayList<>();
        for (Map.Entry<?, ?> e : props.entrySet()) {
            String name = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof Map<?, ?> f)) throw new ConfigException("CRM mapping " + file + ": property '" + name + "' must be a map");
            Map<String, Object> m = (Map<String, Object>) f;
            Object from = m.get("from");
            List<String> fromList = from == null ? List.of() : from instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of(String.valueOf(from));
            Object join = m.get("join");
            Map<String, Object> split = m.get("split") instanceof Map<?, ?> sm ? (Map<String, Object>) sm : null;
            Object tr = m.get("transform");
            List<String> transforms = tr == null ? List.of() : tr instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of(String.valueOf(tr));
            for (String t : transforms) {
                if (!List.of("trim", "lower", "upper").contains(t)) throw new ConfigException("CRM mapping " + file + ": property '" + name + "' has unknown transform '" + t + "' (trim, lower, upper)");
            }
            int sources = (fromList.isEmpty() ? 0 : 1) + (join == null ? 0 : 1) + (split == null ? 0 : 1) + (m.containsKey("constant") ? 1 : 0);
            if (sources != 1) throw new ConfigException("CRM mapping " + file + ": property '" + name + "' needs exactly one of from, join, split, constant");
            fields.add(new Field(name, fromList,
                    join == null ? List.of() : ((List<Object>) join).stream().map(String::valueOf).toList(),
                    String.valueOf(m.getOrDefault("separator", " ")),
                    split == null ? null : String.valueOf(split.get("from")),
                    split == null ? null : String.valueOf(split.getOrDefault("on", " ")),
                    split == null ? 0 : ((Number) split.getOrDefault("part", 0)).intValue(),
                    m.get("constant"), transforms, m.get("default"), Boolean.TRUE.equals(m.get("required"))));
        }
        if (fields.stream().noneMatch(f -> f.property.equals(idProperty))) {
            throw new ConfigException("CRM mapping " + file + ": the id property '" + idProperty + "' is not mapped");
        }
        return new CrmMapping(file, idProperty, fields, lines(file, fields));
    }

    /** "line 14: lastname: { from: last_name }" per property: the first line under properties: that names it. */
    private static Map<String, String> lines(Path file, List<Field> fields) {
        Map<String, String> lines = new LinkedHashMap<>();
        try {
            List<String> text = Files.readAllLines(file);
            for (Field f : fields) {
                java.util.regex.Pattern named = java.util.regex.Pattern.compile("^\\s+[\"']?" + java.util.regex.Pattern.quote(f.property) + "[\"']?\\s*:");
                for (int i = 0; i < text.size(); i++) {
                    if (named.matcher(text.get(i)).find()) {
                        lines.put(f.property, "line " + (i + 1) + ": " + text.get(i).trim());
                        break;
                    }
                }
            }
        } catch (IOException e) {
            // read a moment ago: the lines are a hint only
        }
        return lines;
    }

    /** Maps one lead (its record as received, and its enrichment or null). */
    public Result map(JsonNode lead, JsonNode enrichment) {
        return map(lead, enrichment, null);
    }

    /** As above, with what leadpipe knows of the lead ({@code leadpipe.source}, {@code leadpipe.lead_id}, {@code leadpipe.job_id}), or null. */
    public Result map(JsonNode lead, JsonNode enrichment, JsonNode leadpipe) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Field f : fields) {
            Object v;
            if (f.constant != null) v = f.constant;
            else if (!f.join.isEmpty()) {
                List<String> parts = new ArrayList<>();
                for (String p : f.join) {
                    String s = text(value(lead, enrichment, leadpipe, p));
                    if (s != null && !s.isBlank()) parts.add(s.trim());
                }
                v = parts.isEmpty() ? null : String.join(f.separator, parts);
            } else if (f.splitFrom != null) {
                String s = text(value(lead, enrichment, leadpipe, f.splitFrom));
                String[] parts = s == null ? new String[0] : s.trim().split(java.util.regex.Pattern.quote(f.splitOn));
                v = f.splitPart < parts.length ? parts[f.splitPart] : null;
            } else {
                v = null;
                for (String p : f.from) {
                    Object candidate = value(lead, enrichment, leadpipe, p);
                    if (candidate != null && !(candidate instanceof String s && s.isBlank())) {
                        v = candidate;
                        break;
                    }
                }
            }
            if (v instanceof String s) {
                for (String t : f.transforms) {
                    s = switch (t) {
                        case "trim" -> s.trim();
                        case "lower" -> s.toLowerCase(Locale.ROOT);
                        default -> s.toUpperCase(Locale.ROOT);
                    };
                }
                v = s;
            }
            if ((v == null || v instanceof String s && s.isEmpty()) && f.defaultValue != null) v = f.defaultValue;
            if (v == null || v instanceof String s && s.isEmpty()) {
                if (f.required) return new Result(null, null, "required property '" + f.property + "' is empty (mapping " + file.getFileName()
                        + (lines.containsKey(f.property) ? " " + lines.get(f.property).substring(0, lines.get(f.property).indexOf(':')) : "") + ")");
                continue;
            }
            out.put(f.property, v);
        }
        return new Result(String.valueOf(out.get(idProperty)), out, null);
    }

    /** A dotted path: "email", "address.city", "enrichment.employees", "leadpipe.source". */
    private static Object value(JsonNode lead, JsonNode enrichment, JsonNode leadpipe, String path) {
        JsonNode node = lead;
        String p = path;
        if (p.startsWith("enrichment.")) {
            node = enrichment;
            p = p.substring("enrichment.".length());
        } else if (p.startsWith("leadpipe.")) {
            node = leadpipe;
            p = p.substring("leadpipe.".length());
        }
        if (node == null) return null;
        for (String part : p.split("\\.")) {
            node = node.path(part);
            if (node.isMissingNode() || node.isNull()) return null;
        }
        if (node.isNumber()) return node.numberValue();
        if (node.isBoolean()) return node.booleanValue();
        if (node.isValueNode()) return node.asText();
        return JSON.convertValue(node, Object.class);
    }

    private static String text(Object o) {
        return o == null ? null : String.valueOf(o);
    }
}
