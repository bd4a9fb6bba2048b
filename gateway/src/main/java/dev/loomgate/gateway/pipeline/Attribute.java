package dev.loomgate.gateway.pipeline;

import java.util.Objects;

/**
 * A typed key for a value one filter leaves in the exchange for later ones (e.g. the authenticated consumer,
 * read by the rate limit and the access log). Keys compare by identity: declare each once as a constant.
 *
 * @param <T> the value's type
 */
public final class Attribute<T> {
    private final String name;
    private final Class<T> type;

    private Attribute(String name, Class<T> type) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
    }

    public static <T> Attribute<T> create(String name, Class<T> type) {
        return new Attribute<>(name, type);
    }

    public String name() {
        return name;
    }

    /** Checks a stored value against the key's type (for exchange implementations). */
    public T cast(Object value) {
        return type.cast(value);
    }

    @Override
    public String toString() {
        return "Attribute[" + name + ": " + type.getSimpleName() + "]";
    }
}
