package dev.loomgate.gateway.saga;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * One {@code ${...}} reference: a dotted path into the saga's context, e.g. {@code request.body.orderId},
 * {@code steps.reserve.body.items.0.sku}, {@code request.headers.x-tenant}, {@code saga.id}. No operators, no
 * functions: a reference either finds a JSON value or finds nothing (rendered as JSON null / empty text).
 */
record Expr(List<String> path) {
    static final Set<String> ROOTS = Set.of("request", "steps", "saga");

    Expr {
        path = List.copyOf(path);
    }

    /**
     * @throws IllegalArgumentException with the reason when the text is no valid reference
     */
    static Expr parse(String text) {
        String t = text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty expression ${}");
        }
        List<String> parts = List.of(t.split("\\.", -1));
        for (String p : parts) {
            if (p.isEmpty()) {
                throw new IllegalArgumentException("'" + t + "': empty path segment");
            }
        }
        String root = parts.get(0);
        if (!ROOTS.contains(root)) {
            throw new IllegalArgumentException("'" + t + "': must start with request, steps or saga");
        }
        switch (root) {
            case "request" -> {
                if (parts.size() < 2 || !Set.of("body", "headers", "path", "query").contains(parts.get(1))) {
                    throw new IllegalArgumentException("'" + t + "': request.body, request.headers, request.path"
                            + " or request.query");
                }
            }
            case "steps" -> {
                if (parts.size() < 3 || !Set.of("body", "status").contains(parts.get(2))) {
                    throw new IllegalArgumentException("'" + t + "': must be steps.<name>.body... or steps.<name>.status");
                }
            }
            default -> {
                if (parts.size() != 2 || !parts.get(1).equals("id")) {
                    throw new IllegalArgumentException("'" + t + "': the only saga value is saga.id");
                }
            }
        }
        return new Expr(parts);
    }

    /** The step this reference reads, when it reads one. */
    Optional<String> step() {
        return path.get(0).equals("steps") ? Optional.of(path.get(1)) : Optional.empty();
    }

    /** Follows the path through objects (by name) and arrays (by index); headers are matched case-insensitively. */
    Optional<JsonValue> eval(JsonObject context) {
        JsonValue at = context;
        for (int i = 0; i < path.size(); i++) {
            String seg = path.get(i);
            boolean header = i == 2 && path.get(0).equals("request") && path.get(1).equals("headers");
            if (at instanceof JsonObject o) {
                at = header ? o.get(seg.toLowerCase(java.util.Locale.ROOT)) : o.get(seg);
            } else if (at instanceof JsonArray a) {
                int index;
                try {
                    index = Integer.parseInt(seg);
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
                at = index >= 0 && index < a.size() ? a.get(index) : null;
            } else {
                return Optional.empty();
            }
            if (at == null) {
                return Optional.empty();
            }
        }
        return Optional.of(at);
    }

    @Override
    public String toString() {
        return "${" + String.join(".", path) + "}";
    }
}
