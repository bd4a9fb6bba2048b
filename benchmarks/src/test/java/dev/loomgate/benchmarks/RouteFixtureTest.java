package dev.loomgate.benchmarks;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The benchmarked table answers right: every generated lookup finds its expected route (or none) in 10,000 routes. */
class RouteFixtureTest {
    @Test
    void tenThousandGeneratedRoutesParseAndEveryLookupFindsItsRoute() {
        RouteFixture f = RouteFixture.checked(10_000);
        assertEquals(10_000, f.table().routes().size());
        assertEquals(1_000, f.requests().size());
    }
}
