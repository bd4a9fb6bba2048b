package dev.loomgate.gateway.proxy;

import dev.loomgate.gateway.route.MutableHeaders;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/** Route header operations applied to the response going back to the client. */
final class ResponseHeaders implements MutableHeaders {
    private final ServerResponse res;

    ResponseHeaders(ServerResponse res) {
        this.res = res;
    }

    @Override
    public void set(String name, String value) {
        res.headers().set(HeaderNames.create(name), value);
    }

    @Override
    public void add(String name, String value) {
        res.headers().add(HeaderNames.create(name), value);
    }

    @Override
    public void remove(String name) {
        res.headers().remove(HeaderNames.create(name));
    }
}
