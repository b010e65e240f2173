package io.leadpipe.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import com.fasterxml.jackson.databind.SequenceWriter;

import java.io.IOException;
import java.io.Writer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The `export` verb: stored leads with their delivery status and enrichment, streamed (never all in
 * memory). JSON Lines: the record as received plus a "leadpipe" object; CSV (jackson-dataformat-csv):
 * the record's fields, enrichment_* columns and the leadpipe_* columns. Each lead says its source (the API
 * it came from) and its id there; {@code --job} exports the leads that job saw, whichever job stored them first.
 */
public final class LeadExport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "l.source, l.lead_key, l.payload, l.sink_status, l.delivered_at, l.last_error, l.enrichment";
    /** Every lead; job_id is the job that stored it first. */
    private static final String ALL = "SELECT " + COLUMNS + ", l.job_id FROM leads l ORDER BY l.source, l.lead_key";
    /** The leads one job saw (lead_jobs), also those another job stored first. */
    private static final String OF_JOB = "SELECT " + COLUMNS + ", j.job_id FROM leads l JOIN lead_jobs j ON j.source = l.source AND j.lead_key = l.lead_key "
            + "WHERE j.job_id = ? ORDER BY l.source, l.lead_key";
    private final Database db;
    private final boolean neutraliseFormulas;

    /** @param neutraliseFormulas leadpipe.export.csv.neutralise-formulas: CSV cells a spreadsheet would run start with a quote */
    public LeadExport(Database db, boolean neutraliseFormulas) {
        this.db = db;
        this.neutraliseFormulas = neutraliseFormulas;
    }

    public long write(Writer out, String format, String job) throws SQLException, IOException {
        return "csv".equals(format) ? csv(out, job) : jsonLines(out, job);
    }

    public long jsonLines(Writer out, String job) throws SQLException, IOException {
        long n = 0;
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = query(c, job); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ObjectNode lead = (ObjectNode) JSON.readTree(rs.getString("payload"));
                ObjectNode meta = lead.putObject("leadpipe");
                meta.put("source", rs.getString("source"));
                meta.put("lead_id", rs.getString("lead_key"));
                meta.put("job_id", rs.getString("job_id"));
                meta.put("sink_status", rs.getString("sink_status"));
                Timestamp delivered = rs.getTimestamp("delivered_at");
                meta.put("delivered_at", delivered == null ? null : delivered.toInstant().toString());
                meta.put("last_error", rs.getString("last_error"));
                String enrichment = rs.getString("enrichment");
                if (enrichment != null) meta.set("enrichment", JSON.readTree(enrichment));
                out.write(JSON.writeValueAsString(lead));
                out.write('\n');
                n++;
            }
        }
        out.flush();
        return n;
    }

    private long csv(Writer out, String job) throws SQLException, IOException {
        long n = 0;
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = query(c, job); ResultSet rs = ps.executeQuery()) {
            SequenceWriter writer = null;
            List<String> columns = null;
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                JsonNode lead = JSON.readTree(rs.getString("payload"));
                for (Iterator<Map.Entry<String, JsonNode>> it = lead.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    row.put(f.getKey(), f.getValue().isValueNode() ? f.getValue().asText() : f.getValue().toString());
                }
                String enrichment = rs.getString("enrichment");
                if (enrichment != null) {
                    for (Iterator<Map.Entry<String, JsonNode>> it = JSON.readTree(enrichment).fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> f = it.next();
                        row.put("enrichment_" + f.getKey(), f.getValue().asText());
                    }
                }
                row.put("leadpipe_source", rs.getString("source"));
                row.put("leadpipe_lead_id", rs.getString("lead_key"));
                row.put("leadpipe_job_id", rs.getString("job_id"));
                row.put("leadpipe_sink_status", rs.getString("sink_status"));
                Timestamp delivered = rs.getTimestamp("delivered_at");
                row.put("leadpipe_delivered_at", delivered == null ? "" : delivered.toInstant().toString());
                row.put("leadpipe_last_error", rs.getString("last_error") == null ? "" : rs.getString("last_error"));
                if (writer == null) {
                    // the columns of the first lead, plus the usual enrichment ones (a CSV needs one header)
                    Set<String> cols = new LinkedHashSet<>(row.keySet());
                    for (String e : List.of("enrichment_domain", "enrichment_employees", "enrichment_annual_revenue", "enrichment_sector", "enrichment_hq_country")) cols.add(e);
                    columns = new ArrayList<>(cols);
                    CsvSchema.Builder schema = CsvSchema.builder().setUseHeader(true);
                    columns.forEach(col -> schema.addColumn(cell(col)));
                    writer = new CsvMapper().writerFor(Map.class).with(schema.build()).writeValues(out);
                }
                Map<String, Object> ordered = new LinkedHashMap<>();
                for (String col : columns) ordered.put(cell(col), cell(row.getOrDefault(col, "")));
                writer.write(ordered);
                n++;
            }
            if (writer != null) writer.flush();
        }
        out.flush();
        return n;
    }

    /**
     * OWASP's rule against CSV injection: a cell starting with = + - @ tab or carriage return is a formula
     * to a spreadsheet (=HYPERLINK, @SUM…|cmd), so it gets a single quote in front, which shows it as text.
     */
    private Object cell(Object value) {
        if (!neutraliseFormulas || !(value instanceof String s) || s.isEmpty()) return value;
        return "=+-@\t\r".indexOf(s.charAt(0)) >= 0 ? "'" + s : s;
    }

    private String cell(String column) {
        return (String) cell((Object) column);
    }

    private static PreparedStatement query(Connection c, String job) throws SQLException {
        PreparedStatement ps = c.prepareStatement(job == null ? ALL : OF_JOB);
        if (job != null) ps.setString(1, job);
        ps.setFetchSize(1000);
        return ps;
    }
}
