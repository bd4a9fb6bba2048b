package dev.loomgate.gateway.proxy;

import dev.loomgate.gateway.http.MutableHeaders;
import dev.loomgate.gateway.frontdoor.FrontDoorResponse;

/** Route header operations applied to the response going back to the client. */
final class ResponseHeaders implements MutableHeaders {
    private final FrontDoorResponse res;

    ResponseHeaders(FrontDoorResponse res) {
        this.res = res;
    }

    @Override
    public void set(String name, String value) {
        res.set(name, value);
    }

    @Override
    public void add(String name, String value) {
        res.header(name, value);
    }

    @Override
    public void remove(String name) {
        res.remove(name);
    }
}
