package dev.loomgate.loadtests.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.Signature;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The security benchmark's option parser, report arithmetic and signing key, without running it. */
class SecurityBenchmarkPartsTest {
    private static final Path ROOT = Path.of("/repo");

    @Test
    void optionsDefaultsQuickAndErrors() {
        SecurityOptions d = SecurityOptions.parse(new String[0], ROOT);
        assertEquals(3, d.rounds());
        assertEquals(10, d.durationSec());
        assertEquals(15, d.warmupSec());
        assertEquals(64, d.connections());
        assertEquals(ROOT.resolve("gateway/target/loomgate-gateway.jar"), d.gatewayJar());
        SecurityOptions q = SecurityOptions.parse(new String[] {"--quick", "--duration", "7"}, ROOT);
        assertEquals(1, q.rounds());
        assertEquals(7, q.durationSec(), "an explicit flag wins over --quick");
        assertEquals(5, q.warmupSec());
        assertEquals(List.of("-Xmx64m"), SecurityOptions.parse(new String[] {"--gateway-jvm-opts", "-Xmx64m"}, ROOT)
                .gatewayJvmOpts());
        assertThrows(IllegalArgumentException.class, () -> SecurityOptions.parse(new String[] {"--rounds", "0"}, ROOT));
        assertThrows(IllegalArgumentException.class, () -> SecurityOptions.parse(new String[] {"--nope"}, ROOT));
    }

    private static SecurityReport report(double jwtRps) {
        Map<String, List<SecurityReport.Round>> r = new LinkedHashMap<>();
        r.put(SecurityReport.OPEN, List.of(round(40_000, 2000), round(38_000, 2100), round(42_000, 1900)));
        r.put(SecurityReport.JWT, List.of(round(jwtRps, 2500), round(jwtRps - 1000, 2600), round(jwtRps + 1000, 2400)));
        r.put(SecurityReport.OPEN_WITH_TOKEN, List.of(round(37_000, 2200)));
        r.put(SecurityReport.LOOMGATE_TLS, List.of(round(30_000, 3000)));
        r.put(SecurityReport.NGINX, List.of(round(80_000, 900)));
        r.put(SecurityReport.NGINX_TLS, List.of(round(60_000, 1200)));
        return new SecurityReport("2 cores", "wrk -t2 -c64", r);
    }

    private static SecurityReport.Round round(double rps, double p99) {
        return new SecurityReport.Round(rps, p99);
    }

    @Test
    void ratiosAreOfMediansAndTheJwtGoalIsNinetyPercent() {
        SecurityReport pass = report(36_000);
        assertEquals(0.9, pass.ratio(SecurityReport.JWT, SecurityReport.OPEN).orElseThrow(), 1e-9);
        assertEquals("PASS", pass.jwtVerdict());
        assertEquals("MISS", report(35_000).jwtVerdict());
        assertEquals(0.75, pass.ratio(SecurityReport.LOOMGATE_TLS, SecurityReport.OPEN).orElseThrow(), 1e-9);
        assertEquals(0.5, pass.ratio(SecurityReport.LOOMGATE_TLS, SecurityReport.NGINX_TLS).orElseThrow(), 1e-9);
        assertTrue(pass.text().contains("JWT (RS256; keys and verified tokens cached) vs the same route without auth: 0.90 (goal >= 0.9): PASS"),
                pass.text());
        assertTrue(pass.text().contains("TLS vs plain text: Loomgate 0.75, nginx 0.75"), pass.text());
        assertTrue(pass.markdown().contains("| loomgate-jwt | 36,000 |"), pass.markdown());
        assertTrue(pass.json().contains("\"jwtVerdict\": \"PASS\""), pass.json());
        assertTrue(pass.json().contains("\"loomgateToNginxTls\": 0.500"), pass.json());
        assertTrue(pass.text().contains("JWT vs the open route sent the same token header (the filter alone, not a "
                + "goal): 0.97; the header alone: open with token / open 0.93"), pass.text());
        assertTrue(pass.json().contains("\"jwtVsOpenWithToken\": 0.973"), pass.json());
        assertEquals("PASS", pass.jwtVerdict(), "the goal stays JWT against the open route without the header");
    }

    @Test
    void aMissingTargetIsNotAPass() {
        Map<String, List<SecurityReport.Round>> r = new LinkedHashMap<>();
        r.put(SecurityReport.OPEN, List.of(round(1000, 1)));
        SecurityReport partial = new SecurityReport("m", "s", r);
        assertEquals("n/a", partial.jwtVerdict());
        assertTrue(partial.json().contains("\"jwtRatio\": null"), partial.json());
    }

    @Test
    void tokensVerifyWithThePublishedKey() throws Exception {
        BenchKeys keys = BenchKeys.generate();
        String token = keys.token("https://idp.test", "api", "client", Duration.ofMinutes(5));
        String[] parts = token.split("\\.");
        assertEquals(3, parts.length);
        String header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        assertEquals("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"bench-1\"}", header);
        assertTrue(claims.contains("\"iss\":\"https://idp.test\"") && claims.contains("\"aud\":\"api\""), claims);
        Signature v = Signature.getInstance("SHA256withRSA");
        v.initVerify(keys.keyPair().getPublic());
        v.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(v.verify(Base64.getUrlDecoder().decode(parts[2])));
        String jwks = keys.jwks();
        assertTrue(jwks.contains("\"kid\":\"bench-1\"") && jwks.contains("\"e\":\"AQAB\""), jwks);
    }

    @Test
    void jwkIntegersHaveNoSignByte() {
        assertEquals("AQAB", BenchKeys.unsigned(BigInteger.valueOf(65537)));
        assertEquals("gA", BenchKeys.unsigned(BigInteger.valueOf(128)), "0x80 is one byte, not 0x00 0x80");
    }
}
