package dev.loomgate.chaos.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Renders a scenario timeline as one inline SVG: three panels on a shared time axis (throughput, latency,
 * per-node share) with fault spans and lines across all of them. No script, no fonts or files from outside.
 */
public final class SvgChart {
    static final String[] NODE_COLOURS = {"#4e79a7", "#59a14f", "#edc948", "#b07aa1", "#76b7b2", "#ff9da7",
        "#9c755f", "#f28e2b"};
    static final String NO_NODE_COLOUR = "#c7c7c7";
    private static final int WIDTH = 1160;
    private static final int LEFT = 70;
    private static final int RIGHT = 200;
    private static final int TOP = 44;
    private static final int RATE_H = 170;
    private static final int LAT_H = 130;
    private static final int SHARE_H = 70;
    private static final int GAP = 34;
    private static final int BOTTOM = 40;

    private final Timeline timeline;
    private final List<FaultEvent> faults;
    private final StringBuilder svg = new StringBuilder(64 * 1024);
    private final int plotW = WIDTH - LEFT - RIGHT;

    private SvgChart(Timeline timeline, List<FaultEvent> faults) {
        this.timeline = timeline;
        this.faults = faults;
    }

    public static String render(Timeline timeline, List<FaultEvent> faults) {
        return new SvgChart(timeline, faults).draw();
    }

    private String draw() {
        int rateTop = TOP;
        int latTop = rateTop + RATE_H + GAP;
        int shareTop = latTop + LAT_H + GAP;
        int height = shareTop + SHARE_H + BOTTOM;
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"").append(WIDTH)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ')
                .append(height).append("\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\">\n");
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        if (timeline.buckets().isEmpty()) {
            text(LEFT, TOP + 20, "no requests recorded", "start", "#444", 13);
            return svg.append("</svg>\n").toString();
        }
        long bucket = timeline.bucketMillis();
        // 10% headroom so a steady rate does not run along the frame
        double rateMax = niceCeil(1.1 * max(b -> Math.max(b.requestsPerSecond(bucket),
                Math.max(b.failedPerSecond(bucket), b.rejectedPerSecond(bucket)))));
        ratePanel(rateTop, rateMax);
        latencyPanel(latTop);
        sharePanel(shareTop);
        timeAxis(shareTop + SHARE_H);
        faultMarks(rateTop, shareTop + SHARE_H);
        return svg.append("</svg>\n").toString();
    }

    private void ratePanel(int top, double yMax) {
        long bucket = timeline.bucketMillis();
        frame(top, RATE_H, "requests / s");
        for (double t : ticks(yMax)) {
            hTick(top, RATE_H, t / yMax, fmt(t));
        }
        line(top, RATE_H, b -> b.requestsPerSecond(bucket) / yMax, "#1f77b4", 1.6);
        line(top, RATE_H, b -> b.rejectedPerSecond(bucket) / yMax, "#ff9f1c", 1.6);
        line(top, RATE_H, b -> b.failedPerSecond(bucket) / yMax, "#d62728", 2.0);
        legend(top, List.of(new Key("requests/s", "#1f77b4"), new Key("errors/s (5xx, transport)", "#d62728"),
                new Key("rejected/s (4xx)", "#ff9f1c")));
    }

    private void latencyPanel(int top) {
        double maxP99 = max(b -> b.hasLatency() ? b.p99Millis() : 0);
        double minP50 = timeline.buckets().stream().filter(Timeline.Bucket::hasLatency)
                .mapToDouble(Timeline.Bucket::p50Millis).filter(v -> v > 0).min().orElse(1);
        boolean log = maxP99 > 0 && maxP99 / Math.max(minP50, 0.01) > 30;
        frame(top, LAT_H, log ? "latency ms (log)" : "latency ms");
        if (maxP99 <= 0) {
            text(LEFT + 8, top + 18, "no responses", "start", "#666", 11);
            return;
        }
        ToDoubleFunction<Double> scale;
        if (log) {
            double lo = Math.pow(10, Math.floor(Math.log10(Math.max(minP50, 0.01))));
            double hi = Math.pow(10, Math.ceil(Math.log10(maxP99 * 1.05)));
            double span = Math.log10(hi) - Math.log10(lo);
            scale = v -> (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / span;
            for (double t = lo; t <= hi * 1.001; t *= 10) {
                hTick(top, LAT_H, scale.applyAsDouble(t), fmt(t));
            }
        } else {
            double yMax = niceCeil(maxP99);
            scale = v -> v / yMax;
            for (double t : ticks(yMax)) {
                hTick(top, LAT_H, t / yMax, fmt(t));
            }
        }
        line(top, LAT_H, b -> b.hasLatency() ? scale.applyAsDouble(b.p50Millis()) : Double.NaN, "#2ca02c", 1.6);
        line(top, LAT_H, b -> b.hasLatency() ? scale.applyAsDouble(b.p99Millis()) : Double.NaN, "#9467bd", 1.6);
        legend(top, List.of(new Key("p50 latency", "#2ca02c"), new Key("p99 latency", "#9467bd")));
    }

    private void sharePanel(int top) {
        frame(top, SHARE_H, "share by node");
        hTick(top, SHARE_H, 0, "0%");
        hTick(top, SHARE_H, 0.5, "50%");
        hTick(top, SHARE_H, 1, "100%");
        List<String> nodes = timeline.nodes();
        List<Timeline.Bucket> buckets = timeline.buckets();
        double[] lower = new double[buckets.size()];
        List<Key> keys = new ArrayList<>();
        for (int n = 0; n < nodes.size(); n++) {
            String node = nodes.get(n);
            String colour = colour(n, node);
            keys.add(new Key(node.equals(Timeline.NO_NODE) ? "no node header" : node, colour));
            double[] upper = new double[buckets.size()];
            StringBuilder top1 = new StringBuilder();
            StringBuilder bottom = new StringBuilder();
            for (int i = 0; i < buckets.size(); i++) {
                Timeline.Bucket b = buckets.get(i);
                double share = b.requests() == 0 ? 0 : b.perNode().getOrDefault(node, 0) / (double) b.requests();
                upper[i] = lower[i] + share;
                double x0 = x(i);
                double x1 = x(i + 1);
                top1.append(pt(x0, y(top, SHARE_H, upper[i]))).append(pt(x1, y(top, SHARE_H, upper[i])));
            }
            for (int i = buckets.size() - 1; i >= 0; i--) {
                bottom.append(pt(x(i + 1), y(top, SHARE_H, lower[i]))).append(pt(x(i), y(top, SHARE_H, lower[i])));
            }
            svg.append("<polygon fill=\"").append(colour).append("\" fill-opacity=\"0.85\" stroke=\"none\" points=\"")
                    .append(top1).append(bottom).append("\"><title>").append(esc(node)).append("</title></polygon>\n");
            lower = upper;
        }
        legend(top, keys);
    }

    static String colour(int index, String node) {
        return node.equals(Timeline.NO_NODE) ? NO_NODE_COLOUR : NODE_COLOURS[index % NODE_COLOURS.length];
    }

    private void timeAxis(int y) {
        double seconds = timeline.buckets().size() * timeline.bucketMillis() / 1000.0;
        double step = niceStep(seconds / 10);
        for (double t = 0; t <= seconds + 1e-9; t += step) {
            double x = LEFT + plotW * t / seconds;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#555\"/>%n",
                    x, y, x, y + 5));
            text(x, y + 17, fmt(t), "middle", "#333", 11);
        }
        text(LEFT + plotW / 2.0, y + 33, "time since start of load (s), 100 ms buckets by request start",
                "middle", "#333", 12);
    }

    private void faultMarks(int top, int bottom) {
        double seconds = timeline.buckets().size() * timeline.bucketMillis();
        int row = 0;
        for (FaultEvent f : faults) {
            double x0 = LEFT + plotW * (f.startMillis() - timeline.originMillis()) / seconds;
            double x1 = LEFT + plotW * (f.endMillis() - timeline.originMillis()) / seconds;
            if (!f.instant()) {
                svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                        + "fill=\"#d62728\" fill-opacity=\"0.10\"/>%n", x0, top, Math.max(1, x1 - x0), bottom - top));
                svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
                        + "stroke=\"#d62728\" stroke-width=\"1\" stroke-dasharray=\"2 3\"/>%n", x1, top, x1, bottom));
            }
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
                    + "stroke=\"#d62728\" stroke-width=\"1.5\" stroke-dasharray=\"6 3\"/>%n", x0, top - 14 + 12 * row, x0,
                    bottom));
            String label = "\u26A1 " + f.label() + (f.instant() ? "" : " (" + fmt(f.durationMillis() / 1000.0) + " s)");
            text(x0 + 3, top - 18 + 12 * row, label, "start", "#b01c1c", 11);
            row = (row + 1) % 2;
        }
    }

    private void frame(int top, int h, String title) {
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fafafa\" "
                + "stroke=\"#bbb\"/>%n", LEFT, top, plotW, h));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" transform=\"rotate(-90 %d %.1f)\" "
                + "text-anchor=\"middle\" fill=\"#333\" font-size=\"12\">%s</text>%n",
                16, top + h / 2.0, 16, top + h / 2.0, esc(title)));
    }

    private void hTick(int top, int h, double frac, String label) {
        double yy = y(top, h, frac);
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>%n",
                LEFT, yy, LEFT + plotW, yy));
        text(LEFT - 6, yy + 4, label, "end", "#333", 11);
    }

    private void line(int top, int h, ToDoubleFunction<Timeline.Bucket> value, String colour, double width) {
        List<Timeline.Bucket> buckets = timeline.buckets();
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < buckets.size(); i++) {
            double v = value.applyAsDouble(buckets.get(i));
            if (Double.isNaN(v)) {
                flush(points, colour, width);
                continue;
            }
            points.append(pt(x(i) + (x(i + 1) - x(i)) / 2, y(top, h, Math.min(1, Math.max(0, v)))));
        }
        flush(points, colour, width);
    }

    private void flush(StringBuilder points, String colour, double width) {
        if (!points.isEmpty()) {
            svg.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"").append(width)
                    .append("\" stroke-linejoin=\"round\" points=\"").append(points).append("\"/>\n");
            points.setLength(0);
        }
    }

    private record Key(String label, String colour) {
    }

    private void legend(int top, List<Key> keys) {
        int x = LEFT + plotW + 12;
        int yy = top + 12;
        for (Key k : keys) {
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"10\" fill=\"%s\"/>%n",
                    x, yy - 9, k.colour()));
            text(x + 19, yy, k.label(), "start", "#222", 11);
            yy += 16;
        }
    }

    private void text(double x, double y, String s, String anchor, String colour, int size) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"%s\" "
                + "font-size=\"%d\">%s</text>%n", x, y, anchor, colour, size, esc(s)));
    }

    private double x(int bucketIndex) {
        return LEFT + plotW * (double) bucketIndex / timeline.buckets().size();
    }

    private static double y(int top, int h, double frac) {
        return top + h - h * frac;
    }

    private static String pt(double x, double y) {
        return String.format(Locale.ROOT, "%.1f,%.1f ", x, y);
    }

    private double max(ToDoubleFunction<Timeline.Bucket> f) {
        return timeline.buckets().stream().mapToDouble(f).max().orElse(0);
    }

    static double niceCeil(double v) {
        if (v <= 0) {
            return 1;
        }
        double step = niceStep(v / 4);
        return Math.ceil(v / step) * step;
    }

    static double niceStep(double rough) {
        if (rough <= 0) {
            return 1;
        }
        double mag = Math.pow(10, Math.floor(Math.log10(rough)));
        double r = rough / mag;
        return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
    }

    private static List<Double> ticks(double max) {
        double step = niceStep(max / 4);
        List<Double> out = new ArrayList<>();
        for (double t = 0; t <= max * 1.0001; t += step) {
            out.add(t);
        }
        return out;
    }

    static String fmt(double v) {
        return Criterion.format(v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
