package dev.loomgate.gateway.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

import dev.loomgate.gateway.frontdoor.FrontDoorHandler;
import dev.loomgate.gateway.frontdoor.FrontDoorRequest;
import dev.loomgate.gateway.frontdoor.FrontDoorResponse;
import dev.loomgate.gateway.frontdoor.FrontDoorServer;
import dev.loomgate.gateway.frontdoor.FrontDoorSettings;
import dev.loomgate.gateway.frontdoor.Rejection;
import dev.loomgate.gateway.upstream.Endpoint;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;

/**
 * Not a test: the forwarding server bin/bench-upstream-client runs to compare upstream clients. Our front
 * door forwards each GET to one origin through either {@link UpstreamClient} ("ours") or Helidon's WebClient
 * ("webclient") and relays status, Content-Type and body; everything but the client is the same code, so
 * the CPU per request the script measures differs by the client only. Runs until killed.
 */
public final class UpstreamClientComparison {
    /** Parsed command line. */
    record Options(String client, int port, Endpoint origin) {
        static final String USAGE = """
                Usage: UpstreamClientComparison --client ours|webclient --port N --origin HOST:PORT
                Forwards GET requests on 127.0.0.1:N to the origin with the chosen upstream client, until killed.""";

        static Options parse(String... args) {
            String client = null;
            Integer port = null;
            Endpoint origin = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--help") || a.equals("-h")) {
                    throw new IllegalArgumentException(USAGE);
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value\n" + USAGE);
                }
                String v = args[++i];
                switch (a) {
                    case "--client" -> {
                        client = v.toLowerCase(Locale.ROOT);
                        if (!client.equals("ours") && !client.equals("webclient")) {
                            throw new IllegalArgumentException("--client is ours or webclient, not '" + v + "'");
                        }
                    }
                    case "--port" -> {
                        try {
                            port = Integer.parseInt(v);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--port needs a number, not '" + v + "'");
                        }
                        if (port < 1 || port > 65535) {
                            throw new IllegalArgumentException("--port must be 1..65535, not " + port);
                        }
                    }
                    case "--origin" -> origin = Endpoint.parse(v, 1);
                    default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
                }
            }
            if (client == null || port == null || origin == null) {
                throw new IllegalArgumentException("--client, --port and --origin are required\n" + USAGE);
            }
            return new Options(client, port, origin);
        }
    }

    private UpstreamClientComparison() {
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        FrontDoorHandler forward = o.client().equals("ours") ? ours(o.origin()) : webClient(o.origin());
        FrontDoorServer server = new FrontDoorServer(FrontDoorSettings.builder().host("127.0.0.1").port(o.port()).build(),
                forward);
        server.start();
        System.out.println("forwarding 127.0.0.1:" + server.port() + " -> " + o.origin().id() + " with " + o.client());
        new CountDownLatch(1).await(); // until killed
    }

    private static FrontDoorHandler ours(Endpoint origin) {
        UpstreamClient client = new UpstreamClient(new ClientSettings(Duration.ofSeconds(2), Duration.ofSeconds(30),
                256, Duration.ofSeconds(4)));
        return handler((req, res) -> {
            HttpFields h = new HttpFields(4);
            h.add("Host", origin.id());
            try (UpstreamResponse r = client.exchange(origin, new UpstreamRequest("GET", req.target(), h,
                    RequestBody.NONE, true), Duration.ofSeconds(30))) {
                byte[] body = r.readBody();
                res.status(r.status());
                r.headers().first("Content-Type").ifPresent(v -> res.header("Content-Type", v));
                res.send(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static FrontDoorHandler webClient(Endpoint origin) {
        WebClient client = WebClient.builder().baseUri("http://" + origin.id()).build();
        return handler((req, res) -> {
            try (HttpClientResponse r = client.get(req.target()).request()) {
                byte[] body = r.entity().as(byte[].class);
                res.status(r.status().code());
                r.headers().contentType().ifPresent(v -> res.header("Content-Type", v.text()));
                res.send(body);
            }
        });
    }

    private interface Forward {
        void handle(FrontDoorRequest req, FrontDoorResponse res);
    }

    private static FrontDoorHandler handler(Forward forward) {
        return new FrontDoorHandler() {
            @Override
            public void handle(FrontDoorRequest request, FrontDoorResponse response) {
                forward.handle(request, response);
            }

            @Override
            public void reject(Rejection rejection, FrontDoorResponse response) {
                response.send(rejection.detail().getBytes(StandardCharsets.UTF_8));
            }
        };
    }
}
