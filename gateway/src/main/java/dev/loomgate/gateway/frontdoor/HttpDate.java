package dev.loomgate.gateway.frontdoor;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The current IMF-fixdate for the {@code Date} header, formatted once per second (RFC 9110 §5.6.7). */
final class HttpDate {
    private static final DateTimeFormatter FORMAT = DateTimeFormatter
            .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    /** Second and text published together: a reader never sees one without the other. */
    private record Stamp(long second, String text) {
    }

    private static volatile Stamp current = new Stamp(-1, "");

    private HttpDate() {
    }

    static String now() {
        long second = System.currentTimeMillis() / 1000;
        Stamp s = current;
        if (s.second != second) {
            s = new Stamp(second, FORMAT.format(Instant.ofEpochSecond(second)));
            current = s; // racing writers compute the same text
        }
        return s.text;
    }
}
