package dev.loomgate.gateway.admin;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import dev.loomgate.gateway.config.EdgeRules;
import dev.loomgate.gateway.config.TrustedProxies;
import dev.loomgate.gateway.http.Problem;
import dev.loomgate.gateway.proxy.ProblemWriter;
import dev.loomgate.gateway.observe.RequestIds;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Keeps web pages away from the admin API (docs/SECURITY.md, "Admin API"). A browser on any site
 * can send a simple POST to {@code http://127.0.0.1:9080/admin/drain}, and DNS rebinding lets a
 * page on {@code evil.example} talk to it as same-origin. So, on the admin socket (health and metrics
 * GETs excepted):
 * <ul>
 *   <li>the Host must be an IP literal, {@code localhost} or a name in {@code admin.hosts} (a rebound
 *       name is none of these);</li>
 *   <li>a state-changing call (anything but GET/HEAD/OPTIONS) is refused when it carries an
 *       {@code Origin} not in {@code admin.allowed-origins}, or {@code Sec-Fetch-Site: cross-site/same-site}
 *       from such an origin;</li>
 *   <li>and it must carry {@value #HEADER} or {@code Authorization}: headers a page can only send
 *       cross-origin after a CORS preflight, which this API never approves.</li>
 * </ul>
 * Pure decision in {@link #refusal}; {@link #filter} applies it on the admin socket.
 */
public final class AdminGuard implements Filter {
    /** The header curl, the CLI and scripts send on state-changing admin calls. */
    public static final String HEADER = "X-Loomgate-Admin";
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
    private static final Set<String> OPEN_PATHS = Set.of("/health/live", "/health/ready", "/metrics");

    private final Set<String> allowedOrigins;
    private final Set<String> hosts;

    public AdminGuard(EdgeRules.Admin settings) {
        this.allowedOrigins = Set.copyOf(settings.allowedOrigins());
        this.hosts = Set.copyOf(settings.hosts());
    }

    /** What the guard looks at; values as received. */
    public record Request(String method, String path, Optional<String> host, Optional<String> origin,
                          Optional<String> secFetchSite, boolean adminHeader, boolean authorization) {
    }

    /** Why the request is refused (403), or empty when it may proceed. */
    public Optional<String> refusal(Request r) {
        if (OPEN_PATHS.contains(r.path()) && SAFE_METHODS.contains(r.method())) {
            return Optional.empty(); // health and metrics stay open for LBs and scrapers, whatever Host they send
        }
        if (r.host().isEmpty() || !hostAllowed(r.host().get())) {
            return Optional.of("Host '" + r.host().map(AdminGuard::printable).orElse("")
                    + "' is not an IP address, localhost or a name in admin.hosts (DNS rebinding guard)");
        }
        if (SAFE_METHODS.contains(r.method())) {
            return Optional.empty();
        }
        boolean originAllowed = r.origin().isPresent()
                && allowedOrigins.contains(r.origin().get().strip().toLowerCase(Locale.ROOT));
        if (r.origin().isPresent() && !originAllowed) {
            return Optional.of("cross-origin admin call refused: Origin '" + printable(r.origin().get())
                    + "' is not in admin.allowed-origins");
        }
        String site = r.secFetchSite().map(s -> s.strip().toLowerCase(Locale.ROOT)).orElse("");
        if ((site.equals("cross-site") || site.equals("same-site")) && !originAllowed) {
            return Optional.of("cross-origin admin call refused: Sec-Fetch-Site: " + site);
        }
        if (!r.adminHeader() && !r.authorization()) {
            return Optional.of("state-changing admin calls need the header '" + HEADER
                    + ": 1' (or the bearer token), e.g. curl -X POST -H '" + HEADER + ": 1' ...");
        }
        return Optional.empty();
    }

    boolean hostAllowed(String hostHeader) {
        String h = hostHeader.strip().toLowerCase(Locale.ROOT);
        String name;
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            if (end < 0 || (end + 1 < h.length() && !validPort(h, end + 1))) {
                return false;
            }
            return TrustedProxies.literal(h.substring(0, end + 1)).isPresent();
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            if (!validPort(h, colon)) {
                return false;
            }
            name = h.substring(0, colon);
        } else {
            name = h;
        }
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1); // "localhost." is localhost
        }
        return name.equals("localhost") || hosts.contains(name)
                || (name.indexOf(':') < 0 && TrustedProxies.literal(name).isPresent());
    }

    private static boolean validPort(String h, int colon) {
        if (colon + 1 >= h.length() || h.charAt(colon) != ':' || h.length() - colon > 6) {
            return false;
        }
        for (int i = colon + 1; i < h.length(); i++) {
            if (h.charAt(i) < '0' || h.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 100));
        for (int i = 0; i < s.length() && i < 100; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString();
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        var h = req.headers();
        Optional<String> refused = refusal(new Request(req.prologue().method().text(), req.path().path(),
                h.first(HeaderNames.HOST), h.first(HeaderNames.ORIGIN), h.first(HeaderNames.create("Sec-Fetch-Site")),
                h.first(HeaderNames.create(HEADER)).filter(v -> !v.isBlank()).isPresent(),
                h.contains(HeaderNames.AUTHORIZATION)));
        if (refused.isPresent()) {
            ProblemWriter.send(res, new Problem(Problem.Type.FORBIDDEN, refused.get()), req.path().path(),
                    RequestIds.generate());
            return;
        }
        chain.proceed();
    }
}
