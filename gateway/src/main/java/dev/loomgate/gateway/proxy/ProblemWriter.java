package dev.loomgate.gateway.proxy;

import dev.loomgate.gateway.http.Problem;

import dev.loomgate.gateway.frontdoor.FrontDoorResponse;
import dev.loomgate.gateway.pipeline.ResponseWriter;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/** Writes a {@link Problem} as the whole response. */
public final class ProblemWriter {
    private ProblemWriter() {
    }

    public static void send(ServerResponse res, Problem p, String instance, String requestId) {
        res.status(Status.create(p.status()));
        res.header(HeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(p.toJson(instance, requestId));
    }

    /** The same body as a pipeline answer (the response hooks run before it goes out). */
    public static void send(ResponseWriter res, Problem p, String instance, String requestId) {
        res.status(p.status());
        res.headers().set("Content-Type", Problem.MEDIA_TYPE);
        res.headers().set("Cache-Control", "no-store");
        res.send(p.toJson(instance, requestId));
    }

    /** The same body on the front door (proxy listener), for refusals before any route is known. */
    public static void send(FrontDoorResponse res, Problem p, String instance, String requestId) {
        res.status(p.status());
        res.set("Content-Type", Problem.MEDIA_TYPE);
        res.set("Cache-Control", "no-store");
        res.send(p.toJson(instance, requestId));
    }
}
