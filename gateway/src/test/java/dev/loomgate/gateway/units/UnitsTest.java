package dev.loomgate.gateway.units;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class UnitsTest {

    @Test
    void durationsEverySpellingThatWasAccepted() {
        assertEquals(Duration.ofMillis(250), Units.duration("250ms"));
        assertEquals(Duration.ofSeconds(5), Units.duration("5s"));
        assertEquals(Duration.ofMinutes(1), Units.duration("1m"));
        assertEquals(Duration.ofHours(1), Units.duration("1h"));
        assertEquals(Duration.ofMillis(50), Units.duration(" 50 ms "), "blanks around and before the unit");
        assertEquals(Duration.ofSeconds(5), Units.duration("5S"), "any case");
        assertEquals(Duration.ofMillis(1500), Units.duration("1_500ms"), "digit separators");
        assertEquals(Duration.ofDays(1), Units.period("1d"), "a rate-limit period may be a day");
    }

    @Test
    void durationErrorsSayWhatIsExpected() {
        IllegalArgumentException noUnit = assertThrows(IllegalArgumentException.class, () -> Units.duration("2"));
        assertTrue(noUnit.getMessage().startsWith("expected a duration such as 250ms"), noUnit.getMessage());
        assertTrue(noUnit.getMessage().contains("'2' is not a duration"), noUnit.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Units.duration("1d"), "days only for periods");
        assertThrows(IllegalArgumentException.class, () -> Units.duration("PT1S"), "no second (ISO) dialect");
        assertThrows(IllegalArgumentException.class, () -> Units.duration("1.5s"));
        assertThrows(IllegalArgumentException.class, () -> Units.duration("s"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Units.duration("-1s")).getMessage()
                .startsWith("must not be negative"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Units.duration("99999999999999999999s"))
                .getMessage().contains("too large"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Units.duration("9223372036854775807h"))
                .getMessage().contains("too large"));
    }

    @Test
    void sizes() {
        assertEquals(16_384, Units.size("16384"));
        assertEquals(16_384, Units.size("16_384"));
        assertEquals(64L << 10, Units.size("64KiB"));
        assertEquals(64L << 10, Units.size("64KB"));
        assertEquals(64L << 10, Units.size("64k"));
        assertEquals(1L << 20, Units.size("1MiB"));
        assertEquals(100L << 20, Units.size("100MB"));
        assertEquals(1L << 30, Units.size("1 GiB"));
        assertEquals(7, Units.size("7B"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Units.size("12XB")).getMessage()
                .contains("not a size"));
        assertThrows(IllegalArgumentException.class, () -> Units.size("MB"));
        assertThrows(IllegalArgumentException.class, () -> Units.size("-1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Units.size("99999999999GiB")).getMessage()
                .contains("too large"));
    }

    @Test
    void formatReadsBack() {
        for (String text : new String[] {"250ms", "4s", "90s", "1m", "5m", "1h", "0s", "1500ms"}) {
            assertEquals(text, Units.format(Units.duration(text)));
        }
        assertEquals("1m", Units.format(Duration.ofSeconds(60)));
        for (String text : new String[] {"64KiB", "1MiB", "100MiB", "1GiB", "0", "1000"}) {
            assertEquals(text, Units.formatSize(Units.size(text)));
        }
        assertEquals("16KiB", Units.formatSize(16_384));
    }
}
