package dev.loomgate.consul.standin.store;

/** The single node (agent and server at once) that the stand-in emulates. */
public record NodeIdentity(String nodeName, String nodeId, String address, String datacenter) {
    public static NodeIdentity standard() {
        return new NodeIdentity("consul-standin", "7d3b4c1e-2f5a-4d8b-9c6e-0a1b2c3d4e5f", "127.0.0.1", "dc1");
    }
}
