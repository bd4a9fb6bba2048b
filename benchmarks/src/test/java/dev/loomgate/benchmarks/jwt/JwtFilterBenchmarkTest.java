package dev.loomgate.benchmarks.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import dev.loomgate.gateway.pipeline.ConsumerIdentity;
import org.junit.jupiter.api.Test;

/** The benchmark measures what it says: its token is admitted (from the cache), a foreign header is refused. */
class JwtFilterBenchmarkTest {
    @Test
    void theMeasuredOperationIsAnAdmittedRepeatedToken() throws Exception {
        JwtFilterBenchmark b = new JwtFilterBenchmark();
        b.setUp();
        try {
            for (int i = 0; i < 3; i++) {
                assertTrue(b.jwtCacheHit());
                assertTrue(b.baseline());
            }
            HitExchange admitted = b.exchange();
            b.filter().filter(admitted, () -> { });
            assertEquals("bench-user", admitted.attribute(ConsumerIdentity.ATTRIBUTE).orElseThrow().id());
            assertTrue(admitted.upstreamHeader("Authorization").orElseThrow().startsWith("Bearer "),
                    "the token goes upstream, as on the bench-security route");
            HitExchange tampered = new HitExchange("Authorization", "Bearer a.b.c");
            assertThrows(IllegalStateException.class, () -> b.filter().filter(tampered, () -> { }),
                    "a refusal answers, which the benchmark's exchange refuses to do");
            assertEquals(Optional.empty(), tampered.attribute(ConsumerIdentity.ATTRIBUTE));
        } finally {
            b.tearDown();
        }
    }
}
