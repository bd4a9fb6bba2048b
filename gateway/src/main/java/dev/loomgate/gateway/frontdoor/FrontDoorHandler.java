package dev.loomgate.gateway.frontdoor;

/** What the front door hands requests to. Runs on the connection's virtual thread. */
public interface FrontDoorHandler {
    /** Answers one request; must answer (send or stream) before returning. */
    void handle(FrontDoorRequest request, FrontDoorResponse response);

    /**
     * Writes the body of a refusal the front door decided itself (malformed request, limits,
     * timeouts, connection caps). The status is already set to the rejection's.
     */
    void reject(Rejection rejection, FrontDoorResponse response);
}
