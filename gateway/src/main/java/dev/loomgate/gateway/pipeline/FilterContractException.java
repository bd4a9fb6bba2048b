package dev.loomgate.gateway.pipeline;

/** A filter broke the chain's rule (proceed exactly once, or answer): a bug in that filter, answered with a 500. */
public final class FilterContractException extends RuntimeException {
    public FilterContractException(String message) {
        super(message);
    }
}
