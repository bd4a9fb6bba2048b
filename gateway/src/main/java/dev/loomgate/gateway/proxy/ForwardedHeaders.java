package dev.loomgate.gateway.proxy;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

import dev.loomgate.gateway.config.TrustedProxies;

/**
 * Which forwarded headers go upstream (docs/SECURITY.md, "Forwarded headers"). From a trusted proxy
 * (the load balancers, by CIDR) {@code X-Forwarded-*} and {@code Forwarded} are kept and extended;
 * from anyone else they are dropped and replaced by what this node saw. Pure; no allocation beyond
 * the values it returns.
 */
public final class ForwardedHeaders {
    private ForwardedHeaders() {
    }

    /**
     * The client's forwarded headers as received (all values, in order; empty when absent).
     */
    public record Incoming(List<String> forwardedFor, List<String> proto, List<String> host, List<String> port,
                           List<String> forwarded) {
        public Incoming {
            forwardedFor = List.copyOf(forwardedFor);
            proto = List.copyOf(proto);
            host = List.copyOf(host);
            port = List.copyOf(port);
            forwarded = List.copyOf(forwarded);
        }

        public static Incoming none() {
            return new Incoming(List.of(), List.of(), List.of(), List.of(), List.of());
        }
    }

    /**
     * Whether a client header is left out of the upstream request: the five this class rebuilds always;
     * from an untrusted peer also any other {@code X-Forwarded-*} and {@code X-Real-IP}, which upstreams
     * may believe just as well (case-insensitive).
     */
    public static boolean dropped(String name, boolean trustedPeer) {
        if (name.regionMatches(true, 0, "X-Forwarded-", 0, 12)) {
            return !trustedPeer || isXForwarded(name);
        }
        return name.equalsIgnoreCase("Forwarded") || !trustedPeer && name.equalsIgnoreCase("X-Real-IP");
    }

    private static boolean isXForwarded(String name) {
        return name.equalsIgnoreCase("X-Forwarded-For") || name.equalsIgnoreCase("X-Forwarded-Proto")
                || name.equalsIgnoreCase("X-Forwarded-Host") || name.equalsIgnoreCase("X-Forwarded-Port");
    }

    /** What this node saw: the direct peer's address, the scheme, the Host header, the listener port. */
    public record Own(String peerIp, String proto, Optional<String> host, String port) {
    }

    /** The headers to send upstream, each exactly once. */
    public record Outgoing(String forwardedFor, String proto, Optional<String> host, String port, String forwarded) {
        /** Adds them to the upstream request's headers. */
        public void addTo(dev.loomgate.gateway.client.HttpFields headers) {
            headers.add("X-Forwarded-For", forwardedFor);
            headers.add("X-Forwarded-Proto", proto);
            host.ifPresent(h -> headers.add("X-Forwarded-Host", h));
            headers.add("X-Forwarded-Port", port);
            headers.add("Forwarded", forwarded);
        }
    }

    /**
     * @param trustedPeer whether the direct peer is a configured trusted proxy
     */
    public static Outgoing decide(Own own, boolean trustedPeer, Incoming in) {
        String element = element(own);
        if (!trustedPeer) {
            return new Outgoing(own.peerIp(), own.proto(), own.host(), own.port(), element);
        }
        String xff = in.forwardedFor().isEmpty() ? own.peerIp() : String.join(", ", in.forwardedFor()) + ", " + own.peerIp();
        String proto = in.proto().isEmpty() ? own.proto() : in.proto().getFirst();
        Optional<String> host = in.host().isEmpty() ? own.host() : Optional.of(in.host().getFirst());
        String port = in.port().isEmpty() ? own.port() : in.port().getFirst();
        String forwarded = in.forwarded().isEmpty() ? element : String.join(", ", in.forwarded()) + ", " + element;
        return new Outgoing(xff, proto, host, port, forwarded);
    }

    /** This hop's RFC 7239 element: {@code for=192.0.2.1;proto=http;host="example.com:8080"}. */
    static String element(Own own) {
        StringBuilder sb = new StringBuilder(64);
        sb.append("for=");
        if (own.peerIp().indexOf(':') >= 0) {
            sb.append("\"[").append(own.peerIp()).append("]\""); // IPv6 must be bracketed and quoted
        } else {
            sb.append(own.peerIp());
        }
        sb.append(";proto=").append(own.proto());
        own.host().filter(ForwardedHeaders::quotable).ifPresent(h -> sb.append(";host=\"").append(h).append('"'));
        return sb.toString();
    }

    /** A Host value we can put in a quoted-string without escaping (it was a valid header value). */
    private static boolean quotable(String h) {
        if (h.isEmpty()) {
            return false;
        }
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /**
     * The client address for rate-limit keys and the access log: the direct peer, or, when the peer
     * is a trusted proxy, the right-most X-Forwarded-For address that is not itself a trusted proxy
     * (nginx's {@code real_ip_recursive on}). A malformed entry stops the walk at the last good hop.
     */
    public static String clientIp(String peerIp, boolean trustedPeer, List<String> forwardedFor, TrustedProxies trusted) {
        if (!trustedPeer || forwardedFor.isEmpty()) {
            return peerIp;
        }
        String candidate = peerIp;
        for (int v = forwardedFor.size() - 1; v >= 0; v--) {
            String value = forwardedFor.get(v);
            int end = value.length();
            while (end > 0) {
                int comma = value.lastIndexOf(',', end - 1);
                String entry = value.substring(comma + 1, end).strip();
                end = Math.max(comma, 0);
                Optional<InetAddress> a = TrustedProxies.literal(entry);
                if (a.isEmpty()) {
                    return candidate;
                }
                candidate = a.get().getHostAddress();
                if (!trusted.contains(a.get())) {
                    return candidate;
                }
            }
        }
        return candidate;
    }
}
