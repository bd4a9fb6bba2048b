package dev.loomgate.loadtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** Command-line parsing of bin/bench-proxy, the baseline options above all. */
class BenchOptionsTest {
    private static final Path ROOT = Path.of("/repo");

    private static BenchOptions parse(String... args) {
        return BenchOptions.parse(args, ROOT);
    }

    @Test
    void noBaselineByDefault() {
        BenchOptions o = parse();
        assertTrue(o.baseline().isEmpty());
        assertEquals(3, o.rounds());
        assertEquals(ROOT.resolve("gateway/target/loomgate-gateway.jar"), o.gatewayJar());
    }

    @Test
    void baselineJarIsResolvedAgainstTheRepositoryAndLabelledByItsFileName() {
        BenchOptions o = parse("--baseline-jar", "target/bench-baseline/loomgate-gateway-638f708.jar");
        BenchOptions.Baseline b = o.baseline().orElseThrow();
        assertEquals(ROOT.resolve("target/bench-baseline/loomgate-gateway-638f708.jar"), b.jar());
        assertEquals("loomgate-gateway-638f708.jar", b.label());
    }

    @Test
    void absoluteBaselineJarAndExplicitLabel() {
        BenchOptions o = parse("--baseline-label", "main (638f708)", "--baseline-jar", "/tmp/x/old.jar");
        assertEquals(new BenchOptions.Baseline(Path.of("/tmp/x/old.jar"), "main (638f708)"), o.baseline().orElseThrow());
    }

    @Test
    void blankLabelFallsBackToTheFileName() {
        BenchOptions o = parse("--baseline-jar", "/tmp/old.jar", "--baseline-label", " ");
        assertEquals("old.jar", o.baseline().orElseThrow().label());
    }

    @Test
    void quickRunsTwoRoundsWithABaselineSoTheNoiseCanBeJudged() {
        assertEquals(1, parse("--quick").rounds());
        assertEquals(2, parse("--quick", "--baseline-jar", "/tmp/old.jar").rounds());
        assertEquals(1, parse("--quick", "--baseline-jar", "/tmp/old.jar", "--rounds", "1").rounds(),
                "an explicit --rounds wins");
        assertEquals(3, parse("--baseline-jar", "/tmp/old.jar").rounds());
    }

    @Test
    void labelWithoutJarIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> parse("--baseline-label", "main"));
        assertTrue(e.getMessage().contains("--baseline-jar"), e.getMessage());
    }

    @Test
    void baselineJarNeedsAValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> parse("--quick", "--baseline-jar"));
        assertEquals("--baseline-jar needs a value", e.getMessage());
    }

    @Test
    void baselineRefIsTheShellScriptsJob() {
        var e = assertThrows(IllegalArgumentException.class, () -> parse("--baseline-ref", "main"));
        assertTrue(e.getMessage().contains("bin/bench-proxy") && e.getMessage().contains("--baseline-jar"),
                e.getMessage());
    }

    @Test
    void helpDocumentsTheBaselineOptions() {
        for (String option : new String[] {"--baseline-ref REF", "--baseline-jar FILE", "--baseline-label TEXT"}) {
            assertTrue(BenchOptions.HELP.contains(option), option);
        }
    }

    @Test
    void unknownOptionStillFails() {
        assertThrows(IllegalArgumentException.class, () -> parse("--baseline"));
    }

    @Test
    void tracingDeadCollectorTakesASampleRatio() {
        assertTrue(parse().tracingDeadCollector().isEmpty());
        assertEquals(1.0, parse("--tracing-dead-collector").tracingDeadCollector().orElseThrow());
        assertEquals(0.1, parse("--tracing-dead-collector", "--tracing-sample-ratio", "0.1").tracingDeadCollector()
                .orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> parse("--tracing-sample-ratio", "0.1"));
        assertThrows(IllegalArgumentException.class, () -> parse("--tracing-dead-collector", "--tracing-sample-ratio", "2"));
    }

    @Test
    void abIsOffByDefaultAndOnWithItsFlags() {
        assertEquals(0, parse().abRequests());
        assertEquals(BenchOptions.DEFAULT_AB_REQUESTS, parse("--ab").abRequests());
        assertEquals(5000, parse("--ab-requests", "5000").abRequests());
        assertEquals(5000, parse("--ab-requests", "5000", "--ab").abRequests());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--ab-requests", "0"))
                .getMessage().contains("> 0"));
    }
}
