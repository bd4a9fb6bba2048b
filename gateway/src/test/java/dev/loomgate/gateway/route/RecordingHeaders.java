package dev.loomgate.gateway.route;

import dev.loomgate.gateway.http.MutableHeaders;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** MutableHeaders over a map that also records the calls in order. */
final class RecordingHeaders implements MutableHeaders {
    final Map<String, List<String>> values = new LinkedHashMap<>();
    final List<String> calls = new ArrayList<>();

    RecordingHeaders with(String name, String value) {
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
