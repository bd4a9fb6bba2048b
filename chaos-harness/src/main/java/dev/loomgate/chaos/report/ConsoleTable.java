package dev.loomgate.chaos.report;

import java.util.ArrayList;
import java.util.List;

/** Plain-text criteria table for the terminal: {@code scenario | criterion | measured | goal | PASS/FAIL}. */
public final class ConsoleTable {
    private ConsoleTable() {
    }

    public static String render(RunReport report) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"scenario", "criterion", "measured", "goal", "result"});
        for (ScenarioResult s : report.scenarios()) {
            if (s.criteria().isEmpty()) {
                rows.add(new String[] {s.name(), "(no criteria)", "", "", "FAIL"});
            }
            for (Criterion c : s.criteria()) {
                rows.add(new String[] {s.name(), c.name(), c.measuredText(), c.goal(), c.pass() ? "PASS" : "FAIL"});
            }
        }
        StringBuilder out = new StringBuilder(table(rows));
        out.append(report.passed() ? "PASS" : "FAIL").append(": ").append(report.failedCriteria())
                .append(" failed criteria in ").append(report.scenarios().size()).append(" scenarios\n");
        return out.toString();
    }

    /** The criteria of one scenario. */
    public static String render(ScenarioResult scenario) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"criterion", "measured", "goal", "result"});
        for (Criterion c : scenario.criteria()) {
            rows.add(new String[] {c.name(), c.measuredText(), c.goal(), c.pass() ? "PASS" : "FAIL"});
        }
        return table(rows);
    }

    private static String table(List<String[]> rows) {
        int cols = rows.getFirst().length;
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                width[i] = Math.min(60, Math.max(width[i], r[i].length()));
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int n = 0; n < rows.size(); n++) {
            String[] r = rows.get(n);
            for (int i = 0; i < cols; i++) {
                String cell = r[i].length() > width[i] ? r[i].substring(0, width[i] - 1) + "…" : r[i];
                sb.append(i == 0 ? "" : " | ").append(pad(cell, width[i], i == cols - 1));
            }
            sb.append('\n');
            if (n == 0) {
                for (int i = 0; i < cols; i++) {
                    sb.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    private static String pad(String s, int width, boolean last) {
        return last ? s : s + " ".repeat(Math.max(0, width - s.length()));
    }
}
