package dev.loomgate.gateway.pipeline;

import java.util.Optional;

import dev.loomgate.gateway.http.MutableHeaders;

/** The response's status and headers just before they are sent; hooks may change the headers. */
public interface ResponseHead {
    int status();

    /** True when the response is the upstream's (relayed), false when the gateway answered itself. */
    boolean fromUpstream();

    /** First value of a response header. */
    Optional<String> header(String name);

    /** The response headers, changeable until the head is sent. */
    MutableHeaders headers();
}
