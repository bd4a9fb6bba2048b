package dev.loomgate.gateway.policy.session;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.loomgate.gateway.policy.auth.SecretRef;

/**
 * {@code session.oidc}: log users in at the gateway (authorization code + PKCE), keep their tokens in the session and
 * relay the access token upstream (backend-for-frontend).
 *
 * @param issuer                the issuer the id token must name
 * @param authorizationEndpoint where browsers are sent to log in
 * @param tokenEndpoint         where codes and refresh tokens are exchanged (back channel)
 * @param endSessionEndpoint    RP-initiated logout, when the provider has one
 * @param clientId              the gateway's client id
 * @param clientSecret          its secret (HTTP Basic at the token endpoint); empty for a public client
 * @param redirectUri           the absolute callback URL registered at the provider; its path is the callback route
 * @param logoutPath            the path (on this route) that logs out
 * @param postLogoutRedirect    where the browser goes after logout
 * @param scopes                requested scopes ({@code openid} always)
 * @param refreshBefore         refresh the access token when it expires within this
 * @param consumerClaim         the id-token claim that names the consumer
 */
public record OidcSettings(String issuer, URI authorizationEndpoint, URI tokenEndpoint,
                           Optional<URI> endSessionEndpoint, String clientId, Optional<SecretRef> clientSecret,
                           URI redirectUri, String logoutPath, Optional<URI> postLogoutRedirect, List<String> scopes,
                           Duration refreshBefore, String consumerClaim) {
    public OidcSettings {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(authorizationEndpoint, "authorizationEndpoint");
        Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
        Objects.requireNonNull(endSessionEndpoint, "endSessionEndpoint");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(redirectUri, "redirectUri");
        Objects.requireNonNull(logoutPath, "logoutPath");
        Objects.requireNonNull(postLogoutRedirect, "postLogoutRedirect");
        scopes = List.copyOf(scopes);
        Objects.requireNonNull(refreshBefore, "refreshBefore");
        Objects.requireNonNull(consumerClaim, "consumerClaim");
    }

    public String callbackPath() {
        return redirectUri.getRawPath();
    }
}
