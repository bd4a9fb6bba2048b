package dev.loomgate.chaos.report;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

import static dev.loomgate.chaos.report.SvgChart.esc;
import static dev.loomgate.chaos.report.SvgChart.fmt;

/** Renders a {@link RunReport} as one self-contained HTML page (inline CSS and SVG, nothing fetched). */
public final class HtmlReport {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private HtmlReport() {
    }

    /** The page; log paths are made relative to {@code reportDir} when they lie inside it. */
    public static String render(RunReport report, Path reportDir) {
        StringBuilder h = new StringBuilder(256 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
                .append(esc(report.title())).append("</title>\n<style>\n").append(CSS).append("</style></head>\n<body>\n");
        h.append("<header><h1>").append(esc(report.title())).append(' ').append(badge(report.passed())).append("</h1>\n");
        h.append("<table class=\"meta\">")
                .append(row("date", TIME.format(report.startedAt())))
                .append(row("mode", report.mode()))
                .append(row("machine", report.machine()))
                .append(row("scenarios", report.scenarios().size() + " ("
                        + report.scenarios().stream().filter(ScenarioResult::passed).count() + " passed)"))
                .append(row("failed criteria", Long.toString(report.failedCriteria())))
                .append("</table>\n");
        h.append("<nav><ol>");
        for (int i = 0; i < report.scenarios().size(); i++) {
            ScenarioResult s = report.scenarios().get(i);
            h.append("<li><a href=\"#s").append(i + 1).append("\">").append(esc(s.name())).append("</a> ")
                    .append(badge(s.passed())).append("</li>");
        }
        h.append("</ol></nav></header>\n");
        for (int i = 0; i < report.scenarios().size(); i++) {
            scenario(h, i + 1, report.scenarios().get(i), reportDir);
        }
        h.append("<footer>Loomgate chaos harness. Chart: 100 ms buckets by request start; errors = 5xx and transport "
                + "errors; rejected = 4xx; red dashed lines and shaded spans = injected faults.</footer>\n");
        return h.append("</body></html>\n").toString();
    }

    private static void scenario(StringBuilder h, int n, ScenarioResult s, Path reportDir) {
        RecordsSummary m = s.summary();
        h.append("<section id=\"s").append(n).append("\"><h2>").append(n).append(". ").append(esc(s.name())).append(' ')
                .append(badge(s.passed())).append("</h2>\n<p class=\"desc\">").append(esc(s.description())).append("</p>\n");
        h.append("<p class=\"figures\">")
                .append(fig("requests", fmt(m.total())))
                .append(fig("ok", fmt(m.succeeded())))
                .append(fig("failed", fmt(m.failed()), m.failed() > 0 ? "bad" : ""))
                .append(fig("rejected 4xx", fmt(m.rejected())))
                .append(fig("dropped (cap)", fmt(m.dropped()), m.dropped() > 0 ? "warn" : ""))
                .append(fig("new connections", fmt(m.newConnections())))
                .append(fig("p50", fmt(m.p50Millis()) + " ms"))
                .append(fig("p99", fmt(m.p99Millis()) + " ms"))
                .append(fig("max", fmt(m.maxMillis()) + " ms"))
                .append("</p>\n");
        h.append("<div class=\"chart\">").append(SvgChart.render(s.timeline(), s.faults())).append("</div>\n");
        for (StateTimeline st : s.states()) {
            h.append("<h3>").append(esc(st.title())).append("</h3><div class=\"chart\">")
                    .append(SvgStateChart.render(st, s.faults(), s.timeline().originMillis(), s.timeline().endMillis()))
                    .append("</div>\n<p class=\"small\">at the end: ");
            st.last().forEach((state, count) -> h.append("<code>").append(esc(state)).append("</code> ").append(count)
                    .append(" · "));
            h.setLength(h.length() - 3);
            h.append("</p>\n");
        }
        h.append("<table class=\"criteria\"><thead><tr><th>criterion</th><th>measured</th><th>goal</th><th>result</th>"
                + "</tr></thead><tbody>\n");
        for (Criterion c : s.criteria()) {
            h.append("<tr class=\"").append(c.pass() ? "pass" : "fail").append("\"><td><b>").append(esc(c.name()))
                    .append("</b><br><span class=\"desc\">").append(esc(c.description())).append("</span></td><td class=\"num\">")
                    .append(esc(c.measuredText())).append("</td><td class=\"num\">").append(esc(c.goal()))
                    .append("</td><td>").append(badge(c.pass())).append("</td></tr>\n");
        }
        if (s.criteria().isEmpty()) {
            h.append("<tr class=\"fail\"><td colspan=\"4\">no criteria evaluated</td></tr>\n");
        }
        h.append("</tbody></table>\n");
        if (!s.faults().isEmpty()) {
            h.append("<h3>Faults</h3><table class=\"faults\"><tr><th>fault</th><th>target</th><th>start</th>"
                    + "<th>t (s)</th><th>duration</th></tr>\n");
            for (FaultEvent f : s.faults()) {
                h.append("<tr><td>").append(esc(f.name())).append("</td><td>").append(esc(f.target())).append("</td><td>")
                        .append(CLOCK.format(Instant.ofEpochMilli(f.startMillis()))).append("</td><td class=\"num\">")
                        .append(fmt((f.startMillis() - s.timeline().originMillis()) / 1000.0)).append("</td><td class=\"num\">")
                        .append(f.instant() ? "instant" : fmt(f.durationMillis()) + " ms").append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
        h.append("<h3>Outcomes</h3><p class=\"small\">").append(counts(m.byOutcome())).append("<br>by node: ")
                .append(counts(m.byNode()));
        if (!m.byLb().isEmpty()) {
            h.append("<br>by LB: ").append(counts(m.byLb()));
        }
        h.append("</p>\n");
        if (!s.logs().isEmpty()) {
            h.append("<h3>Logs</h3><ul class=\"logs\">");
            for (LogLink log : s.logs()) {
                h.append("<li><a href=\"").append(esc(href(log.path(), reportDir))).append("\">").append(esc(log.label()))
                        .append("</a> <code>").append(esc(log.path().toString())).append("</code></li>");
            }
            h.append("</ul>\n");
        }
        h.append("</section>\n");
    }

    static String href(Path log, Path reportDir) {
        Path abs = log.toAbsolutePath().normalize();
        Path dir = reportDir.toAbsolutePath().normalize();
        if (abs.startsWith(dir)) {
            return dir.relativize(abs).toString().replace('\\', '/');
        }
        return abs.toUri().toString();
    }

    private static String counts(Map<String, Long> counts) {
        StringBuilder sb = new StringBuilder();
        counts.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : " · ").append("<code>").append(esc(k)).append("</code> ")
                .append(v));
        return sb.isEmpty() ? "none" : sb.toString();
    }

    private static String badge(boolean pass) {
        return pass ? "<span class=\"badge pass\">PASS</span>" : "<span class=\"badge fail\">FAIL</span>";
    }

    private static String row(String k, String v) {
        return "<tr><th>" + esc(k) + "</th><td>" + esc(v) + "</td></tr>";
    }

    private static String fig(String label, String value) {
        return fig(label, value, "");
    }

    private static String fig(String label, String value, String cls) {
        return "<span class=\"fig " + cls + "\"><small>" + esc(label) + "</small><b>" + esc(value) + "</b></span>";
    }

    private static final String CSS = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1200px;
              color:#1d1d1f;background:#f4f5f7;padding:0 16px}
            header,section{background:#fff;border:1px solid #dcdfe4;border-radius:8px;padding:16px 20px;margin-bottom:18px}
            h1{font-size:24px;margin:0 0 10px} h2{font-size:19px;margin:0 0 6px} h3{font-size:14px;margin:16px 0 6px}
            .meta th{text-align:left;color:#555;font-weight:normal;padding-right:14px} .meta td{font-weight:600}
            nav ol{margin:10px 0 0;padding-left:22px;columns:2} nav a{color:#1f4e9c}
            .desc{color:#444} .small{font-size:12px;color:#333;line-height:1.6}
            .badge{display:inline-block;font-size:12px;font-weight:700;padding:2px 8px;border-radius:10px;
              vertical-align:middle;letter-spacing:.5px}
            .badge.pass{background:#d8f3dc;color:#1b6b2f;border:1px solid #8fd19e}
            .badge.fail{background:#fde2e1;color:#a4161a;border:1px solid #f1a5a3}
            .figures{display:flex;flex-wrap:wrap;gap:8px} .fig{background:#f3f5f8;border-radius:6px;padding:4px 10px}
            .fig small{display:block;color:#666;font-size:11px} .fig.bad b{color:#a4161a} .fig.warn b{color:#b36b00}
            .chart svg{max-width:100%;height:auto;border:1px solid #e5e7eb;border-radius:6px}
            table.criteria,table.faults{border-collapse:collapse;width:100%;margin-top:10px;font-size:13px}
            .criteria th,.criteria td,.faults th,.faults td{border-bottom:1px solid #e5e7eb;padding:6px 8px;text-align:left;
              vertical-align:top}
            .criteria thead th,.faults th{background:#f3f5f8}
            .criteria tr.fail{background:#fff5f5} .criteria .desc{font-size:12px}
            td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
            .logs{font-size:13px} code{font-size:12px;color:#555}
            footer{font-size:12px;color:#666;margin:10px 0 30px}
            """;
}
