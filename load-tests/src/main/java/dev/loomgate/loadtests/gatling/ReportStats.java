package dev.loomgate.loadtests.gatling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the per-request statistics table of a Gatling HTML report ({@code index.html}). Gatling 3.15 writes
 * no stats.json any more and its simulation.log is a binary format of its own, so the report's table is the
 * stable, documented output: columns are found by their header label ("Total", "KO", "50th pct", "99th pct",
 * "Max"), not by position.
 */
public final class ReportStats {
    private static final Pattern HEADER = Pattern.compile(
            "<th id=\"(col-\\d+)\"[^>]*><span>(?:<abbr[^>]*>)?([^<]+)");
    private static final Pattern ROW = Pattern.compile("<tr id=\"([^\"]+)\"[^>]*>(.*?)</tr>", Pattern.DOTALL);
    private static final Pattern NAME = Pattern.compile("class=\"ellipsed-name\">([^<]*)</span>");
    private static final Pattern CELL = Pattern.compile("<td class=\"value[^\"]*\\b(col-\\d+)\">([^<]*)</td>");

    private ReportStats() {
    }

    /** Every request row of the report (not the "All Requests" total), in report order. */
    public static List<RequestStats> read(Path indexHtml) throws IOException {
        return parse(Files.readString(indexHtml));
    }

    static List<RequestStats> parse(String html) {
        Map<String, String> columnByLabel = new HashMap<>();
        Matcher h = HEADER.matcher(html);
        while (h.find()) {
            columnByLabel.put(h.group(2).trim(), h.group(1));
        }
        String total = column(columnByLabel, "Total");
        String ko = column(columnByLabel, "KO");
        String p50 = column(columnByLabel, "50th pct");
        String p99 = column(columnByLabel, "99th pct");
        String max = column(columnByLabel, "Max");
        List<RequestStats> out = new ArrayList<>();
        Matcher r = ROW.matcher(html);
        while (r.find()) {
            if (!r.group(1).startsWith("req_")) {
                continue; // ROOT (all requests) and groups
            }
            String body = r.group(2);
            Matcher n = NAME.matcher(body);
            if (!n.find()) {
                throw new IllegalArgumentException("report row " + r.group(1) + " has no request name");
            }
            Map<String, String> cells = new HashMap<>();
            Matcher c = CELL.matcher(body);
            while (c.find()) {
                cells.put(c.group(1), c.group(2).trim());
            }
            String name = unescape(n.group(1));
            out.add(new RequestStats(name, number(cells, total, name), number(cells, ko, name),
                    number(cells, p50, name), number(cells, p99, name), number(cells, max, name)));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no request rows in the report's statistics table");
        }
        return List.copyOf(out);
    }

    /** The row named {@code name}. */
    public static Optional<RequestStats> find(List<RequestStats> rows, String name) {
        return rows.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    private static String column(Map<String, String> columnByLabel, String label) {
        String col = columnByLabel.get(label);
        if (col == null) {
            throw new IllegalArgumentException("the report's statistics table has no '" + label + "' column "
                    + "(percentile4 must be 99 in gatling.conf); columns: " + columnByLabel.keySet());
        }
        return col;
    }

    private static long number(Map<String, String> cells, String col, String row) {
        String v = cells.get(col);
        if (v == null) {
            throw new IllegalArgumentException("report row '" + row + "' has no cell " + col);
        }
        if (v.equals("-")) {
            return 0; // Gatling prints "-" for figures of an empty set (e.g. no KO)
        }
        try {
            return Math.round(Double.parseDouble(v.replace(",", "")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("report row '" + row + "' cell " + col + " is not a number: " + v);
        }
    }

    private static String unescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&amp;", "&");
    }
}
