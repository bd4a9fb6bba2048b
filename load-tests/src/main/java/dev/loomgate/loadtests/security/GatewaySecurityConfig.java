package dev.loomgate.loadtests.security;

import java.nio.file.Path;

/**
 * The node's side of the security benchmark: two routes to the same origin, one open and one behind the jwt filter
 * (keys from the benchmark's JWKS URL), and a TLS listener beside the plain one. In one place, because these are the
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

    static String node(int tlsPort, Path cert, Path key) {
        return """
                tls:
                  port: %d
                  certificates:
                    - cert: %s
                      key: %s
                """.formatted(tlsPort, cert, key);
    }
}
