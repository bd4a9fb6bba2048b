package dev.loomgate.gateway.proxy;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.loomgate.gateway.config.TrustedProxies;
import dev.loomgate.gateway.route.PathNormalizer;
import dev.loomgate.gateway.http.RequestView;
import dev.loomgate.gateway.frontdoor.FrontDoorRequest;

/**
 * {@link RequestView} over a front-door request; derived values are computed once, lazily. The
 * path is the normalized one ({@link PathNormalizer}), the client address honours trusted proxies.
 */
final class FrontDoorRequestView implements RequestView {
    private final FrontDoorRequest request;
    private final String method;
    private final PathNormalizer.Result pathResult;
    private final TrustedProxies trustedProxies;
    private String host;
    private String peerIp;
    private Boolean trustedPeer;
    private String clientIp;
    private Optional<String> sessionId = Optional.empty();

    FrontDoorRequestView(FrontDoorRequest request, PathNormalizer paths, TrustedProxies trustedProxies) {
        this.request = request;
        this.method = request.method();
        this.pathResult = paths.normalize(request.path());
        this.trustedProxies = trustedProxies;
    }

    /** Set by the exchange when the session filter records the request's session. */
    void sessionId(String id) {
        sessionId = Optional.of(id);
    }

    @Override
    public Optional<String> sessionId() {
        return sessionId;
    }

    @Override
    public boolean secure() {
        if (request.secure()) {
            return true;
        }
        return trustedPeer() && header("X-Forwarded-Proto").map(p -> p.strip().equalsIgnoreCase("https")).orElse(false);
    }

    /** The normalized path, or why the raw one is refused. */
    PathNormalizer.Result pathResult() {
        return pathResult;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String host() {
        if (host == null) {
            String h = request.headers().first("Host").orElse("");
            host = stripPort(h).toLowerCase(Locale.ROOT);
        }
        return host;
    }

    static String stripPort(String hostHeader) {
        if (hostHeader.startsWith("[")) {
            int end = hostHeader.indexOf(']');
            return end > 0 ? hostHeader.substring(1, end) : hostHeader;
        }
        int colon = hostHeader.lastIndexOf(':');
        return colon >= 0 ? hostHeader.substring(0, colon) : hostHeader;
    }

    /** The normalized path (routing and upstream see this); the raw path when it was rejected. */
    @Override
    public String path() {
        return pathResult instanceof PathNormalizer.Normalized n ? n.path() : request.path();
    }

    @Override
    public String rawQuery() {
        return request.rawQuery();
    }

    @Override
    public List<String> headerValues(String name) {
        return request.headers().all(name);
    }

    /** The address of the direct peer (the load balancer, when there is one). */
    String peerIp() {
        if (peerIp == null) {
            peerIp = request.clientAddress().getHostAddress();
        }
        return peerIp;
    }

    @Override
    public boolean peerIsTrustedProxy() {
        return trustedPeer();
    }

    /** Whether the direct peer is a configured trusted proxy (its forwarded headers count). */
    boolean trustedPeer() {
        if (trustedPeer == null) {
            trustedPeer = !trustedProxies.isEmpty() && trustedProxies.contains(request.clientAddress());
        }
        return trustedPeer;
    }

    /** The direct peer, or from a trusted proxy the right-most untrusted X-Forwarded-For address. */
    @Override
    public String clientIp() {
        if (clientIp == null) {
            clientIp = ForwardedHeaders.clientIp(peerIp(), trustedPeer(),
                    trustedPeer() ? headerValues("X-Forwarded-For") : List.of(), trustedProxies);
        }
        return clientIp;
    }
}
