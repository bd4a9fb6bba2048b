package dev.loomgate.gateway.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Serves the cluster page ({@code /ui}) and its two assets from the classpath ({@code ui/}): plain
 * HTML, one script, one style sheet, nothing from elsewhere. They carry no data, so they are served
 * without the token; the script asks for the token and sends it as {@code Authorization} on its
 * {@code /admin} calls (docs/SECURITY.md, "The cluster page"). Every answer carries a strict
 * Content-Security-Policy (no inline script or style, no other origin, no framing) and an ETag.
 */
public final class AdminUi {
    /** The policy of every /ui answer: only this origin's script, style and JSON. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private record Asset(byte[] body, String contentType, String etag) {
    }

    private final Map<String, Asset> assets;

    private AdminUi(Map<String, Asset> assets) {
        this.assets = assets;
    }

    /** Loads the assets once (they are part of the jar). */
    public static AdminUi load() {
        return new AdminUi(Map.of(
                "/ui", asset("index.html", "text/html; charset=utf-8"),
                "/ui/app.js", asset("app.js", "text/javascript; charset=utf-8"),
                "/ui/app.css", asset("app.css", "text/css; charset=utf-8")));
    }

    private static Asset asset(String name, String contentType) {
        try (InputStream in = AdminUi.class.getResourceAsStream("/ui/" + name)) {
            if (in == null) {
                throw new IllegalStateException("ui/" + name + " is missing from the classpath");
            }
            byte[] body = in.readAllBytes();
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return new Asset(body, contentType, "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public void register(HttpRouting.Builder r) {
        r.get("/ui", (req, res) -> send(req, res, "/ui"));
        r.get("/ui/", (req, res) -> {
            res.status(Status.MOVED_PERMANENTLY_301);
            res.header(HeaderNames.LOCATION, "/ui");
            securityHeaders(res);
            res.send();
        });
        r.get("/ui/app.js", (req, res) -> send(req, res, "/ui/app.js"));
        r.get("/ui/app.css", (req, res) -> send(req, res, "/ui/app.css"));
    }

    private void send(ServerRequest req, ServerResponse res, String path) {
        Asset a = assets.get(path);
        securityHeaders(res);
        res.header(HeaderNames.ETAG, a.etag());
        res.header(HeaderNames.CACHE_CONTROL, "no-cache"); // revalidate: a new jar brings a new page at once
        boolean unchanged = req.headers().first(HeaderNames.IF_NONE_MATCH)
                .map(v -> v.equals(a.etag()) || v.strip().equals("*")).orElse(false);
        if (unchanged) {
            res.status(Status.NOT_MODIFIED_304);
            res.send();
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, a.contentType());
        res.send(a.body());
    }

    private static void securityHeaders(ServerResponse res) {
        res.header(HeaderNames.create("Content-Security-Policy"), CONTENT_SECURITY_POLICY);
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        res.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
        res.header(HeaderNames.create("X-Frame-Options"), "DENY");
    }
}
