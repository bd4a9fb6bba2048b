package dev.loomgate.loadtests.routes;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratedRoutesTest {
    @Test
    void tenThousandRoutesOfEveryKindWithUniqueIds() {
        GeneratedRoutes g = GeneratedRoutes.of(10_000, "v1", "127.0.0.1:9");
        assertEquals(10_000, g.routesByKind().values().stream().mapToInt(Integer::intValue).sum());
        Matcher ids = Pattern.compile("(?m)^  - id: (\\S+)$").matcher(g.yaml());
        Set<String> seen = new HashSet<>();
        while (ids.find()) {
            assertTrue(seen.add(ids.group(1)), "duplicate id " + ids.group(1));
        }
        assertEquals(10_000, seen.size());
        assertEquals(6_000, g.routesByKind().entrySet().stream().filter(e -> e.getKey().startsWith("host "))
                .mapToInt(e -> e.getValue()).sum());
        assertEquals(2_000, g.routesByKind().entrySet().stream().filter(e -> e.getKey().startsWith("wildcard "))
                .mapToInt(e -> e.getValue()).sum());
        // every expected route exists in the document
        g.lookups().forEach(l -> l.expectedRouteId().ifPresent(id -> assertTrue(seen.contains(id), id)));
    }

    @Test
    void lookupsHitEveryKindAndMiss() {
        GeneratedRoutes g = GeneratedRoutes.of(1_000, "v1", "127.0.0.1:9");
        assertEquals(1_000, g.lookups().size());
        long misses = g.lookups().stream().filter(l -> l.expectedRouteId().isEmpty()).count();
        assertEquals(500, misses);
        assertEquals(10, g.lookups().stream().map(GeneratedRoutes.Lookup::kind).distinct().count());
    }

    @Test
    void sameInputSameDocument() {
        assertEquals(GeneratedRoutes.of(500, "v", "h:1").yaml(), GeneratedRoutes.of(500, "v", "h:1").yaml());
        assertEquals(GeneratedRoutes.of(500, "v", "h:1").lookups(), GeneratedRoutes.of(500, "v", "h:1").lookups());
    }

    @Test
    void tooFewRoutesIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> GeneratedRoutes.of(99, "v", "h:1"));
    }
}
