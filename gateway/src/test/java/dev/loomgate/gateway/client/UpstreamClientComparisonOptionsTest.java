package dev.loomgate.gateway.client;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpstreamClientComparisonOptionsTest {
    @Test
    void parsesTheThreeOptions() {
        var o = UpstreamClientComparison.Options.parse("--client", "WebClient", "--port", "18080", "--origin", "127.0.0.1:9000");
        assertEquals("webclient", o.client());
        assertEquals(18080, o.port());
        assertEquals("127.0.0.1:9000", o.origin().id());
    }

    @Test
    void badInputGetsAClearError() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> UpstreamClientComparison.Options.parse(
                "--client", "okhttp", "--port", "1", "--origin", "127.0.0.1:9")).getMessage().contains("ours or webclient"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> UpstreamClientComparison.Options.parse(
                "--client", "ours", "--port", "x", "--origin", "127.0.0.1:9")).getMessage().contains("needs a number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> UpstreamClientComparison.Options.parse(
                "--client", "ours", "--port", "70000", "--origin", "127.0.0.1:9")).getMessage().contains("1..65535"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> UpstreamClientComparison.Options.parse(
                "--client", "ours")).getMessage().contains("required"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> UpstreamClientComparison.Options.parse(
                "--client")).getMessage().contains("needs a value"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> UpstreamClientComparison.Options.parse(
                "--colour", "red")).getMessage().contains("unknown option"));
    }
}
