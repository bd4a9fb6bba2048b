package dev.loomgate.gateway.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.yaml.ConfigException;

/** Routes-file snippets and error checks shared by the policies' config tests. */
public final class RoutesFiles {
    /** One upstream and the head of one route {@code a}; the route's next key is on line 7. */
    public static final String ONE_ROUTE = """
            upstreams:
              - name: demo
                endpoints: [127.0.0.1:9001]
            routes:
              - id: a
                upstream: demo
            """;

    private RoutesFiles() {
    }

    /** Parsing {@code yaml} as {@code routes.yaml} fails at {@code line} on {@code field}, for the given reason. */
    public static ConfigException assertError(String yaml, String field, int line, String reasonPart) {
        ConfigException e = assertThrows(ConfigException.class, () -> RoutesParser.parse(yaml, "routes.yaml"));
        assertEquals(field, e.field(), e.getMessage());
        assertEquals(line, e.line().orElse(-1), e.getMessage());
        assertTrue(e.reason().contains(reasonPart), "reason '" + e.reason() + "' should contain '" + reasonPart + "'");
        assertTrue(e.getMessage().startsWith("routes.yaml:" + line + ": " + field + ": "), e.getMessage());
        return e;
    }
}
