package dev.loomgate.chaos.report;

import java.util.List;
import java.util.Locale;

import static dev.loomgate.chaos.report.SvgChart.esc;
import static dev.loomgate.chaos.report.SvgChart.fmt;

/**
 * A {@link StateTimeline} as one inline SVG: the open states (how many now) above, the settled ones (how many so
 * far) below, on the time axis of the scenario's request chart (same origin) with the faults as dashed lines.
 */
public final class SvgStateChart {
    static final String[] COLOURS = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1"};
    private static final int WIDTH = 1160;
    private static final int LEFT = 70;
    private static final int RIGHT = 200;
    private static final int TOP = 30;
    private static final int PANEL_H = 120;
    private static final int GAP = 30;
    private static final int BOTTOM = 40;
    private static final int PLOT_W = WIDTH - LEFT - RIGHT;

    private final StateTimeline states;
    private final long origin;
    private final long span;
    private final StringBuilder svg = new StringBuilder(16 * 1024);

    private SvgStateChart(StateTimeline states, long origin, long end) {
        this.states = states;
        this.origin = origin;
        this.span = Math.max(1, end - origin);
    }

    /** {@code originMillis}..{@code endMillis}: the request chart's range, so both charts line up. */
    public static String render(StateTimeline states, List<FaultEvent> faults, long originMillis, long endMillis) {
        long origin = originMillis;
        long end = endMillis;
        if (!states.samples().isEmpty()) {
            long first = states.samples().getFirst().atMillis();
            long last = states.samples().getLast().atMillis();
            if (end <= origin) {
                // no requests recorded: the samples' own range
                origin = first;
                end = last;
            } else {
                // a range that does not hold the samples is widened to them
                origin = Math.min(origin, first);
                end = Math.max(end, last);
            }
        }
        return new SvgStateChart(states, origin, end).draw(faults);
    }

    private String draw(List<FaultEvent> faults) {
        int openTop = TOP;
        int settledTop = openTop + PANEL_H + GAP;
        int height = settledTop + PANEL_H + BOTTOM;
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"").append(WIDTH)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(height).append("\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\">\n");
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        if (states.samples().isEmpty()) {
            text(LEFT, TOP + 20, "no samples", "start", "#444", 13);
            return svg.append("</svg>\n").toString();
        }
        panel(openTop, "now in state", states.open(), 0);
        panel(settledTop, "ended so far", states.settled(), states.open().size());
        axis(settledTop + PANEL_H);
        for (FaultEvent f : faults) {
            double x0 = x(f.startMillis());
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#d62728\" "
                    + "stroke-width=\"1.5\" stroke-dasharray=\"6 3\"/>%n", x0, openTop - 10, x0, settledTop + PANEL_H));
            text(x0 + 3, openTop - 14, "\u26A1 " + f.label(), "start", "#b01c1c", 11);
        }
        return svg.append("</svg>\n").toString();
    }

    private void panel(int top, String title, List<String> names, int colourOffset) {
        int max = names.stream().mapToInt(states::max).max().orElse(0);
        double yMax = SvgChart.niceCeil(Math.max(1, max * 1.1));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fafafa\" "
                + "stroke=\"#bbb\"/>%n", LEFT, top, PLOT_W, PANEL_H));
        svg.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.1f\" transform=\"rotate(-90 16 %.1f)\" "
                + "text-anchor=\"middle\" fill=\"#333\" font-size=\"12\">%s</text>%n", top + PANEL_H / 2.0,
                top + PANEL_H / 2.0, esc(title)));
        double step = SvgChart.niceStep(yMax / 4);
        for (double t = 0; t <= yMax * 1.0001; t += step) {
            double yy = y(top, t / yMax);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
                    + "stroke=\"#e3e3e3\"/>%n", LEFT, yy, LEFT + PLOT_W, yy));
            text(LEFT - 6, yy + 4, fmt(t), "end", "#333", 11);
        }
        int ly = top + 12;
        for (int i = 0; i < names.size(); i++) {
            String state = names.get(i);
            String colour = COLOURS[(i + colourOffset) % COLOURS.length];
            // a step line: a count holds until the next sample
            StringBuilder points = new StringBuilder();
            double prevY = Double.NaN;
            for (StateTimeline.Sample s : states.samples()) {
                double yy = y(top, s.count(state) / yMax);
                if (!Double.isNaN(prevY)) {
                    points.append(pt(x(s.atMillis()), prevY));
                }
                points.append(pt(x(s.atMillis()), yy));
                prevY = yy;
            }
            svg.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"1.8\" points=\"")
                    .append(points).append("\"><title>").append(esc(state)).append("</title></polyline>\n");
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"10\" fill=\"%s\"/>%n",
                    LEFT + PLOT_W + 12, ly - 9, colour));
            text(LEFT + PLOT_W + 31, ly, state + " (max " + states.max(state) + ")", "start", "#222", 11);
            ly += 16;
        }
    }

    private void axis(int y) {
        double seconds = span / 1000.0;
        double step = SvgChart.niceStep(seconds / 10);
        for (double t = 0; t <= seconds + 1e-9; t += step) {
            double xx = LEFT + PLOT_W * t / seconds;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#555\"/>%n",
                    xx, y, xx, y + 5));
            text(xx, y + 17, fmt(t), "middle", "#333", 11);
        }
        text(LEFT + PLOT_W / 2.0, y + 33, "time since start of load (s), sampled by polling", "middle", "#333", 12);
    }

    private double x(long millis) {
        return LEFT + PLOT_W * Math.min(1, Math.max(0, (millis - origin) / (double) span));
    }

    private static double y(int top, double frac) {
        return top + PANEL_H - PANEL_H * Math.min(1, Math.max(0, frac));
    }

    private static String pt(double x, double y) {
        return String.format(Locale.ROOT, "%.1f,%.1f ", x, y);
    }

    private void text(double x, double y, String s, String anchor, String colour, int size) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"%s\" "
                + "font-size=\"%d\">%s</text>%n", x, y, anchor, colour, size, esc(s)));
    }
}
