package dev.loomgate.gateway.testing;

import dev.loomgate.gateway.http.MutableHeaders;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** MutableHeaders over a map that also records the calls in order. */
public final class RecordingHeaders implements MutableHeaders {
    public final Map<String, List<String>> values = new LinkedHashMap<>();
    public final List<String> calls = new ArrayList<>();

    public RecordingHeaders with(String name, String value) {
        values.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
        return this;
    }

    @Override
    public void set(String name, String value) {
        calls.add("set " + name);
        values.put(name.toLowerCase(Locale.ROOT), new ArrayList<>(List.of(value)));
    }

    @Override
    public void add(String name, String value) {
        calls.add("add " + name);
        values.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
    }

    @Override
    public void remove(String name) {
        calls.add("remove " + name);
        values.remove(name.toLowerCase(Locale.ROOT));
    }
}
