package dev.loomgate.gateway.route;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The path index must choose exactly the route a plain scan in priority order chooses: random tiers of exact paths,
 * templates (with catch-alls), prefixes and any-path routes over a small segment vocabulary, so heads collide, nest
 * and exceed the index depth, against random request paths including empty segments and paths the keys cannot describe.
 */
class RouteIndexEquivalenceTest {
    private static final String[] LITERALS = {"", "a", "b", "api", "v1", "orders", "a.b", "%2e"};
    private static final String[] METHODS = {"GET", "POST"};

    @Test
    void indexedMatchEqualsScanOnRandomTiers() {
        Random random = new Random(13);
        int compared = 0;
        int matched = 0;
        for (int tierNo = 0; tierNo < 300; tierNo++) {
            List<Route> routes = new ArrayList<>();
            int size = 1 + random.nextInt(40);
            for (int i = 0; i < size; i++) {
                Route.Builder b = Route.builder("r" + i, "u").path(randomPattern(random));
                if (random.nextInt(4) == 0) {
                    b.method(METHODS[random.nextInt(METHODS.length)]);
                }
                routes.add(b.build());
            }
            // the table's tier order: any priority order will do for the equivalence, the table's is one of them
            RouteTable table = RouteTable.of(routes);
            PathIndex index = PathIndex.of(table.routes().toArray(Route[]::new));
            for (int q = 0; q < 60; q++) {
                TestRequest request = TestRequest.get(randomPath(random)).withMethod(METHODS[random.nextInt(2)]);
                RouteMatch byIndex = index.firstMatch(request);
                RouteMatch byScan = index.firstMatchByScan(request);
                assertEquals(byScan == null ? null : byScan.route().id(), byIndex == null ? null : byIndex.route().id(),
                        () -> request.path() + " against " + routes);
                compared++;
                if (byScan != null) {
                    matched++;
                }
            }
        }
        // the vocabulary is small enough that matches are common: a test of misses only would prove little
        assertTrue(matched > compared / 4, matched + " of " + compared + " matched");
    }

    @Test
    void headKeysStopAtTheFirstVariableAndAtTheIndexDepth() {
        assertEquals("", PathIndex.headKey(PathPattern.any()));
        assertEquals("", PathIndex.headKey(PathPattern.prefix("/")));
        assertEquals("/", PathIndex.headKey(PathPattern.path("/")));
        assertEquals("", PathIndex.headKey(PathPattern.path("/{id}")));
        assertEquals("/users", PathIndex.headKey(PathPattern.path("/users/{id}/items")));
        assertEquals("/a/b/c", PathIndex.headKey(PathPattern.path("/a/b/c/d/e")));
        assertEquals("/a/b/c", PathIndex.headKey(PathPattern.prefix("/a/b/c/d/")));
        assertEquals("/files", PathIndex.headKey(PathPattern.path("/files/{rest...}")));
    }

    private static PathPattern randomPattern(Random random) {
        int kind = random.nextInt(10);
        if (kind == 0) {
            return PathPattern.any();
        }
        int segments = 1 + random.nextInt(5);
        List<String> parts = new ArrayList<>();
        int variables = 0;
        for (int s = 0; s < segments; s++) {
            parts.add(LITERALS[random.nextInt(LITERALS.length)]);
        }
        if (kind <= 4) {
            // a template: one to two variables, maybe a trailing catch-all
            for (int s = 0; s < segments; s++) {
                if (random.nextInt(3) == 0) {
                    parts.set(s, "{v" + variables++ + "}");
                }
            }
            if (random.nextBoolean()) {
                parts.add("{rest...}");
                variables++;
            }
            if (variables == 0) {
                parts.set(random.nextInt(segments), "{v0}");
            }
            return PathPattern.path("/" + String.join("/", parts));
        }
        String text = "/" + String.join("/", parts);
        return kind <= 7 ? PathPattern.path(text) : PathPattern.prefix(text);
    }

    private static String randomPath(Random random) {
        int pick = random.nextInt(20);
        if (pick == 0) {
            return Arrays.asList("*", "", "a/b", "/").get(random.nextInt(4));
        }
        int segments = random.nextInt(6);
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < segments; s++) {
            sb.append('/').append(random.nextInt(6) == 0 ? "x" + random.nextInt(3) : LITERALS[random.nextInt(LITERALS.length)]);
        }
        if (sb.isEmpty() || random.nextInt(8) == 0) {
            sb.append('/');
        }
        return sb.toString();
    }
}
