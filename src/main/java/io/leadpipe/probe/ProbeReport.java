package io.leadpipe.probe;

import io.leadpipe.secrets.Secrets;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What `probe` found, as labelled lines and a verdict: could a full pull work? Scrubbed of secrets. */
public final class ProbeReport {

    private final String title;
    private final List<String[]> lines = new ArrayList<>();
    private String verdict;
    private boolean failed;

    ProbeReport(String title) {
        this.title = title;
    }

    ProbeReport line(String label, String value) {
        lines.add(new String[] {label, value});
        return this;
    }

    void ok(String why) {
        verdict = "OK — " + why;
        failed = false;
    }

    void fail(String reason) {
        verdict = "FAIL — " + reason;
        failed = true;
    }

    /** A full pull could not work (or the answer could not show that it would). */
    public boolean failed() {
        return failed;
    }

    /** The verdict in one line. */
    public String verdict() {
        return Secrets.scrub(verdict);
    }

    public String toText() {
        StringBuilder b = new StringBuilder("──── probe: ").append(title).append(" ────\n");
        for (String[] l : lines) {
            String[] values = l[1].split("\n");
            for (int i = 0; i < values.length; i++) b.append(String.format(Locale.ROOT, "  %-15s %s%n", i == 0 ? l[0] : "", values[i]));
        }
        b.append(String.format(Locale.ROOT, "  %-15s %s%n", "result", verdict));
        return Secrets.scrub(b.toString());
    }
}
