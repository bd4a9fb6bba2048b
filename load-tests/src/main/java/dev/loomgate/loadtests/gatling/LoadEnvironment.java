package dev.loomgate.loadtests.gatling;

import java.util.List;

/** What a load run targets: the URL Gatling loads and the gateway nodes behind it; closing stops what was started. */
interface LoadEnvironment extends AutoCloseable {
    String frontUrl();

    List<GatewayNode> nodes();

    /** One line saying what this is and whether this run started it. */
    String describe();

    @Override
    void close();
}
