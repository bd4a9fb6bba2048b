package dev.loomgate.gateway.frontdoor;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A request's header fields in arrival order, multi-valued, looked up case-insensitively. Filled by
 * the parser, read-only for handlers; a linear scan beats hashing for the usual dozen fields.
 */
public final class HeaderFields {
    private String[] names;
    private String[] values;
    private int size;

    HeaderFields(int capacity) {
        names = new String[capacity];
        values = new String[capacity];
    }

    void add(String name, String value) {
        if (size == names.length) {
            names = java.util.Arrays.copyOf(names, size * 2);
            values = java.util.Arrays.copyOf(values, size * 2);
        }
        names[size] = name;
        values[size] = value;
        size++;
    }

    /** Replaces every field of that name with one value (absolute-form targets set Host). */
    void set(String name, String value) {
        int w = 0;
        for (int i = 0; i < size; i++) {
            if (!names[i].equalsIgnoreCase(name)) {
                names[w] = names[i];
                values[w] = values[i];
                w++;
            }
        }
        size = w;
        add(name, value);
    }

    public int size() {
        return size;
    }

    /** The name of field {@code i} as the client spelled it. */
    public String name(int i) {
        return names[i];
    }

    public String value(int i) {
        return values[i];
    }

    public Optional<String> first(String name) {
        for (int i = 0; i < size; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                return Optional.of(values[i]);
            }
        }
        return Optional.empty();
    }

    /** Every value of the fields with that name, in order (empty when none). */
    public List<String> all(String name) {
        List<String> out = null;
        for (int i = 0; i < size; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(values[i]);
            }
        }
        return out == null ? List.of() : out;
    }

    public boolean contains(String name) {
        for (int i = 0; i < size; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }
}
