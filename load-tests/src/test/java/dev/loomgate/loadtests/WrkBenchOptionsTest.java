package dev.loomgate.loadtests;

import static dev.loomgate.loadtests.WrkBenchOptions.Common.CONNECTIONS;
import static dev.loomgate.loadtests.WrkBenchOptions.Common.ROUNDS;
import static dev.loomgate.loadtests.WrkBenchOptions.Common.SECONDS;
import static dev.loomgate.loadtests.WrkBenchOptions.Common.THREADS;
import static dev.loomgate.loadtests.WrkBenchOptions.Common.WARMUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The shared command line of the wrk benchmarks: defaults per benchmark, own flags, errors, usage. */
class WrkBenchOptionsTest {
    private static final Path ROOT = Path.of("/repo");
    private static final WrkBenchOptions.Spec SPEC = WrkBenchOptions.Spec.of("bench-x", "What bench-x measures.")
            .with(ROUNDS, 3)
            .with(SECONDS, 8, "seconds per run\nand a second line")
            .with(WARMUP, 5)
            .with(CONNECTIONS, 32)
            .with(THREADS, 2)
            .flag("--sessions", 1000, "sessions");

    private static WrkBenchOptions parse(String... args) {
        return SPEC.parse(args, ROOT);
    }

    private static String error(WrkBenchOptions.Spec spec, String... args) {
        return assertThrows(IllegalArgumentException.class, () -> spec.parse(args, ROOT)).getMessage();
    }

    @Test
    void defaultsAreTheBenchmarksOwn() {
        WrkBenchOptions o = parse();
        assertEquals(3, o.rounds());
        assertEquals(8, o.seconds());
        assertEquals(5, o.warmup());
        assertEquals(32, o.connections());
        assertEquals(2, o.threads());
        assertEquals(1000, o.value("--sessions"));
        assertEquals(ROOT.resolve("gateway/target/loomgate-gateway.jar"), o.gatewayJar());
    }

    @Test
    void everyFlagSetsItsValue() {
        WrkBenchOptions o = parse("--rounds", "1", "--seconds", "2", "--warmup", "0", "--connections", "16",
                "--threads", "4", "--sessions", "200", "--gateway-jar", "/tmp/g.jar");
        assertEquals(1, o.rounds());
        assertEquals(2, o.seconds());
        assertEquals(0, o.warmup(), "no warm-up is allowed");
        assertEquals(16, o.connections());
        assertEquals(4, o.threads());
        assertEquals(200, o.value("--sessions"));
        assertEquals(Path.of("/tmp/g.jar"), o.gatewayJar());
    }

    @Test
    void aRelativeJarIsResolvedAgainstTheRoot() {
        assertEquals(ROOT.resolve("x/g.jar"), parse("--gateway-jar", "x/g.jar").gatewayJar());
        assertEquals(Path.of("gateway/target/loomgate-gateway.jar"),
                SPEC.parse(new String[0], Path.of("")).gatewayJar(), "main: relative to the working directory");
    }

    @Test
    void theLastOccurrenceWins() {
        assertEquals(5, parse("--rounds", "2", "--rounds", "5").rounds());
    }

    @Test
    void unknownOptionsAreRefusedByName() {
        assertEquals("unknown option '--round'", error(SPEC, "--round", "3"));
        assertEquals("unknown option 'extra'", error(SPEC, "extra"));
    }

    @Test
    void aFlagTheBenchmarkDidNotDeclareIsUnknown() {
        WrkBenchOptions.Spec async = WrkBenchOptions.Spec.of("bench-y", "").with(SECONDS, 8).flag("--rate", 200, "r");
        assertEquals("unknown option '--rounds'", error(async, "--rounds", "3"));
        assertEquals("unknown option '--sessions'", error(async, "--sessions", "3"));
        WrkBenchOptions o = async.parse(new String[0], ROOT);
        assertEquals(200, o.value("--rate"));
        assertThrows(IllegalStateException.class, o::rounds, "reading an undeclared flag is a programming error");
    }

    @Test
    void badValuesNameTheFlag() {
        assertEquals("--seconds needs a value", error(SPEC, "--seconds"));
        assertEquals("--rounds needs a whole number, got 'x'", error(SPEC, "--rounds", "x"));
        assertEquals("--rounds must be > 0", error(SPEC, "--rounds", "0"));
        assertEquals("--sessions must be > 0", error(SPEC, "--sessions", "0"));
        assertEquals("--warmup must be >= 0, got -1", error(SPEC, "--warmup", "-1"));
        assertEquals("--gateway-jar needs a value", error(SPEC, "--gateway-jar"));
    }

    @Test
    void moreThreadsThanConnectionsIsRefused() {
        assertEquals("--threads (8) must not exceed --connections (4)", error(SPEC, "--threads", "8", "--connections", "4"));
        assertEquals(4, parse("--threads", "4", "--connections", "4").threads());
    }

    @Test
    void usageListsTheDeclaredFlagsWithTheirDefaults() {
        String usage = SPEC.usage();
        assertTrue(usage.startsWith("usage: bin/bench-x [options]   (or: make bench-x)\nWhat bench-x measures.\n"), usage);
        for (String line : new String[] {
                "  --rounds N            measured rounds (default 3)\n",
                "  --seconds N           seconds per run\n                        and a second line (default 8)\n",
                "  --warmup N            warm-up seconds (default 5)\n",
                "  --connections N       wrk connections (default 32)\n",
                "  --threads N           wrk threads (default 2)\n",
                "  --sessions N          sessions (default 1000)\n",
                "  --gateway-jar PATH    gateway jar (default gateway/target/loomgate-gateway.jar)\n",
                "  --help                this text\n"}) {
            assertTrue(usage.contains(line), "missing: " + line + "in:\n" + usage);
        }
        String async = WrkBenchOptions.Spec.of("bench-y", "").with(SECONDS, 8).usage();
        assertFalse(async.contains("--rounds"), async);
    }

    @Test
    void helpIsAskedWithEitherSpelling() {
        assertTrue(WrkBenchOptions.Spec.wantsHelp(new String[] {"--rounds", "2", "--help"}));
        assertTrue(WrkBenchOptions.Spec.wantsHelp(new String[] {"-h"}));
        assertFalse(WrkBenchOptions.Spec.wantsHelp(new String[] {"--rounds", "2"}));
    }

    @Test
    void aSpecCannotShadowOrRepeatAFlag() {
        WrkBenchOptions.Spec base = WrkBenchOptions.Spec.of("bench-z", "").with(ROUNDS, 3);
        assertThrows(IllegalArgumentException.class, () -> base.with(ROUNDS, 4));
        assertThrows(IllegalArgumentException.class, () -> base.flag("--rounds", 4, "x"));
        assertThrows(IllegalArgumentException.class, () -> base.flag("--threads", 4, "x"));
        assertThrows(IllegalArgumentException.class, () -> base.flag("--gateway-jar", 4, "x"));
        assertThrows(IllegalArgumentException.class, () -> base.flag("sessions", 4, "x"));
        assertThrows(IllegalArgumentException.class, () -> base.flag("--sessions", 0, "x"), "default below 1");
    }
}
