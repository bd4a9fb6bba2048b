package dev.loomgate.gateway.http;

/** Headers a route may change on the way to the upstream or back to the client. */
public interface MutableHeaders {
    /** Replaces all values of the header. */
    void set(String name, String value);

    /** Adds a value, keeping existing ones. */
    void add(String name, String value);

    /** Removes all values of the header. */
    void remove(String name);
}
