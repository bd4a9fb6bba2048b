package dev.loomgate.loadtests.security;

import java.nio.file.Path;

/**
 * The node's side of the security benchmark: two routes to the same origin, one open and one behind the jwt filter
 * (keys from the benchmark's JWKS URL), and the TLS listener of a second node. In one place, because these are the
 * config keys of docs/SECURITY.md.
 */
final class GatewaySecurityConfig {
    private GatewaySecurityConfig() {
    }

    static String routes(int originPort, int jwksPort, String issuer, String audience) {
        return """
                upstreams:
                  - name: origin
                    endpoints: [ 127.0.0.1:%d ]
                routes:
                  - id: open
                    upstream: origin
                    match: { path-prefix: /open }
                    rewrite: { strip-prefix: true }
                  - id: jwt
                    upstream: origin
                    match: { path-prefix: /jwt }
                    rewrite: { strip-prefix: true }
                    jwt:
                      issuers:
                        - issuer: %s
                          jwks-url: http://127.0.0.1:%d/jwks.json
                          algorithms: [ RS256 ]
                          audiences: [ %s ]
                """.formatted(originPort, issuer, jwksPort, audience);
    }

    /** The TLS node's extra config: its proxy port speaks HTTPS with this certificate (front-door.tls). */
    static String tlsListener(Path cert, Path key) {
        return """
                front-door:
                  tls:
                    certificates:
                      - { cert: %s, key: %s }
                """.formatted(cert, key);
    }
}
