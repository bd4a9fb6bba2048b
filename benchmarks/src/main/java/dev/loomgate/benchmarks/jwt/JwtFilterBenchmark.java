package dev.loomgate.benchmarks.jwt;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.concurrent.TimeUnit;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.loomgate.gateway.config.RoutesParser;
import dev.loomgate.gateway.pipeline.ConsumerIdentity;
import dev.loomgate.gateway.pipeline.Filter;
import dev.loomgate.gateway.pipeline.FilterContext;
import dev.loomgate.gateway.pipeline.NodeServices;
import dev.loomgate.gateway.policy.jwt.JwtFilterFactory;
import dev.loomgate.gateway.policy.jwt.JwtSettings;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The {@code jwt} filter's admitting path on a verified-token cache hit (the case of {@code make bench-security}:
 * one RS256 token repeated), against the same exchange passed straight on. The token header is a new String per
 * operation, as the front door decodes it per request. Run briefly with
 * {@code java -cp benchmarks/target/loomgate-benchmarks.jar org.openjdk.jmh.Main JwtFilterBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JwtFilterBenchmark {
    private Path dir;
    private Filter filter;
    private byte[] header;
    private boolean admitted;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
        dir = Files.createTempDirectory("lg-jwt-bench");
        Path jwks = dir.resolve("jwks.json");
        Files.writeString(jwks, new JWKSet(key.toPublicJWK()).toString());
        // the bench-security route: one issuer, RS256, an audience; nothing forwarded but the token itself
        JwtSettings settings = RoutesParser.parse("""
                upstreams:
                  - name: u
                    endpoints: [ 127.0.0.1:1 ]
                routes:
                  - id: jwt
                    upstream: u
                    match: { path-prefix: /jwt }
                    jwt:
                      issuers:
                        - { issuer: "https://idp.bench", algorithms: [RS256], audiences: [bench], jwks-file: "%s" }
                """.formatted(jwks), "bench.yaml").pipeline("jwt").config(JwtFilterFactory.KEY, JwtSettings.class)
                .orElseThrow();
        filter = new JwtFilterFactory().create(settings, new FilterContext("jwt", NodeServices.none()));
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").type(JOSEObjectType.JWT)
                .build(), new JWTClaimsSet.Builder().issuer("https://idp.bench").audience("bench").subject("bench-user")
                .claim("scope", "orders:read").expirationTime(new Date(System.currentTimeMillis() + 3_600_000L))
                .build());
        jwt.sign(new RSASSASigner(key));
        header = ("Bearer " + jwt.serialize()).getBytes(StandardCharsets.ISO_8859_1);
        HitExchange first = exchange();
        filter.filter(first, () -> admitted = true);
        if (!admitted || first.attribute(ConsumerIdentity.ATTRIBUTE).isEmpty()) {
            throw new IllegalStateException("the benchmark's token was not admitted");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    Filter filter() {
        return filter;
    }

    HitExchange exchange() {
        return new HitExchange("Authorization", new String(header, StandardCharsets.ISO_8859_1));
    }

    /** The same exchange, passed on without the filter: what every request costs here anyway. */
    @Benchmark
    public boolean baseline() {
        HitExchange e = exchange();
        boolean[] proceeded = new boolean[1];
        Runnable chain = () -> proceeded[0] = true;
        chain.run();
        return proceeded[0] && e.upstreamHeaders() != null;
    }

    /** The jwt filter admitting a token it verified before. */
    @Benchmark
    public boolean jwtCacheHit() {
        HitExchange e = exchange();
        boolean[] proceeded = new boolean[1];
        filter.filter(e, () -> proceeded[0] = true);
        if (!proceeded[0]) {
            throw new IllegalStateException("refused");
        }
        return proceeded[0];
    }
}
