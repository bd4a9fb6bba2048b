package dev.loomgate.loadtests;

import java.util.ArrayList;
import java.util.List;

/** Value parsing shared by the benchmarks' option parsers: each failure names the flag and what it needs. */
public final class OptionArgs {
    private OptionArgs() {
    }

    public static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    public static int positive(String[] args, int i, String flag) {
        int v = nonNegative(args, i, flag);
        if (v == 0) {
            throw new IllegalArgumentException(flag + " must be > 0");
        }
        return v;
    }

    public static int nonNegative(String[] args, int i, String flag) {
        String v = value(args, i, flag);
        try {
            int n = Integer.parseInt(v);
            if (n < 0) {
                throw new IllegalArgumentException(flag + " must be >= 0, got " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a whole number, got '" + v + "'");
        }
    }

    /** A number in (min, max]. */
    public static double number(String[] args, int i, String flag, double min, double max) {
        String v = value(args, i, flag);
        try {
            double d = Double.parseDouble(v);
            if (d > min && d <= max) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(flag + " needs a number above " + min + " and at most " + max + ", got '" + v + "'");
    }

    /** Whitespace-separated JVM options. */
    public static List<String> splitOpts(String s) {
        List<String> opts = new ArrayList<>();
        for (String part : s.trim().split("\\s+")) {
            if (!part.isEmpty()) {
                opts.add(part);
            }
        }
        return List.copyOf(opts);
    }
}
