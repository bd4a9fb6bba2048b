package dev.loomgate.consul.standin.api;

import dev.loomgate.consul.standin.store.ConsulError;
import dev.loomgate.consul.standin.store.GoDuration;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** The query string parsed as Go's {@code url.ParseQuery} does: names may appear without a value. */
final class QueryParams {
    private final String raw;
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    QueryParams(String rawQuery) {
        this.raw = rawQuery == null ? "" : rawQuery;
        for (String pair : raw.split("[&;]")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            values.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ConsulError.badRequest("invalid URL escape in query: " + s);
        }
    }

    String raw() {
        return raw;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    Optional<String> first(String name) {
        List<String> all = values.get(name);
        return all == null ? Optional.empty() : Optional.of(all.getFirst());
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    /** A uint64 parameter; a malformed value is a raw parse error, which Consul reports as 500. */
    OptionalLong unsigned(String name) {
        Optional<String> value = first(name);
        if (value.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseUnsignedLong(value.get()));
        } catch (NumberFormatException e) {
            throw ConsulError.internal("strconv.ParseUint: parsing \"" + value.get() + "\": invalid syntax");
        }
    }

    /** Blocking-query options (BQ-1, BQ-2): 400 for a malformed index or wait. */
    record Blocking(long index, Duration maxWait) {
    }

    Blocking blocking() {
        Duration wait = Duration.ZERO;
        Optional<String> waitText = first("wait");
        if (waitText.isPresent() && !waitText.get().isEmpty()) {
            wait = GoDuration.parse(waitText.get()).orElseThrow(() -> ConsulError.badRequest("Invalid wait time"));
        }
        long index = 0;
        Optional<String> indexText = first("index");
        if (indexText.isPresent() && !indexText.get().isEmpty()) {
            try {
                index = Long.parseUnsignedLong(indexText.get());
            } catch (NumberFormatException e) {
                throw ConsulError.badRequest("Invalid index");
            }
        }
        return new Blocking(index, wait);
    }

    /** The consistency mode reported in X-Consul-Effective-Consistency (BQ-13). */
    String consistency() {
        if (has("stale") && has("consistent")) {
            throw ConsulError.badRequest("Cannot specify ?stale with ?consistent, conflicting semantics.");
        }
        return has("stale") ? "stale" : has("consistent") ? "consistent" : "leader";
    }
}
