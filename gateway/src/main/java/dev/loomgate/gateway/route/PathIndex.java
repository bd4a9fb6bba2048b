package dev.loomgate.gateway.route;

import dev.loomgate.gateway.http.RequestView;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One host tier of a {@link RouteTable}, indexed by the leading literal path segments of its routes, so a request
 * tries only the routes that can match its path instead of the whole tier.
 *
 * <p>Every route has a <em>literal head</em>: the leading segments a matching path must start with (all segments of
 * an exact path or a prefix, the segments before the first variable of a template, none for {@code path-prefix: /}
 * or no path). It is filed under its head cut to at most {@link #MAX_DEPTH} segments, as the path text up to the end
 * of that segment ({@code /api/orders}). A request looks up the same keys from its own path (one map per depth) and
 * merges the candidate lists by the routes' positions in the tier's priority order; since a route's head can only
 * be a prefix of a path it matches, the routes skipped are exactly those that cannot match, and the first match is
 * the same route a full scan in priority order finds (RouteIndexEquivalenceTest checks this on generated tables).
 */
final class PathIndex {
    /** Deeper heads are filed at this depth: three map lookups cover real route tables (host, /api/v1/orders). */
    static final int MAX_DEPTH = 3;

    private static final Candidates NONE = new Candidates(new Route[0], new int[0]);

    /** Routes in priority order with their positions in the tier (what the merge compares). */
    private record Candidates(Route[] routes, int[] positions) {
    }

    private final Route[] all;
    private final Candidates anyPath;
    /** byDepth[d - 1]: head key of depth d -> routes filed there. */
    private final List<Map<String, Candidates>> byDepth;

    private PathIndex(Route[] all, Candidates anyPath, List<Map<String, Candidates>> byDepth) {
        this.all = all;
        this.anyPath = anyPath;
        this.byDepth = byDepth;
    }

    /** @param sorted the tier's routes in priority order */
    static PathIndex of(Route[] sorted) {
        List<Integer> anyPositions = new ArrayList<>();
        List<Map<String, List<Integer>>> filed = new ArrayList<>();
        for (int d = 0; d < MAX_DEPTH; d++) {
            filed.add(new HashMap<>());
        }
        for (int i = 0; i < sorted.length; i++) {
            String key = headKey(sorted[i].path());
            int depth = segmentCount(key);
            if (depth == 0) {
                anyPositions.add(i);
            } else {
                filed.get(depth - 1).computeIfAbsent(key, k -> new ArrayList<>()).add(i);
            }
        }
        List<Map<String, Candidates>> byDepth = new ArrayList<>();
        for (Map<String, List<Integer>> m : filed) {
            Map<String, Candidates> c = new HashMap<>();
            m.forEach((k, positions) -> c.put(k, candidates(sorted, positions)));
            byDepth.add(Map.copyOf(c));
        }
        return new PathIndex(sorted, candidates(sorted, anyPositions), List.copyOf(byDepth));
    }

    private static Candidates candidates(Route[] sorted, List<Integer> positions) {
        Route[] routes = new Route[positions.size()];
        int[] pos = new int[positions.size()];
        for (int i = 0; i < routes.length; i++) {
            pos[i] = positions.get(i);
            routes[i] = sorted[pos[i]];
        }
        return new Candidates(routes, pos);
    }

    /**
     * The path text up to the end of the route's literal head, cut to {@link #MAX_DEPTH} segments; "" when any
     * path may match.
     */
    static String headKey(PathPattern p) {
        String literal = switch (p.kind()) {
            case ANY -> "";
            case EXACT -> p.text();
            case PREFIX -> p.text().equals("/") ? "" : p.text();
            case TEMPLATE -> {
                String t = p.text();
                int brace = t.indexOf('{');
                // the segments before the one holding the first variable ("/a/b/{x}" -> "/a/b")
                yield t.substring(0, t.lastIndexOf('/', brace));
            }
        };
        return literal.isEmpty() ? "" : literal.substring(0, endOfSegment(literal, MAX_DEPTH));
    }

    /** Segments in a head key ("/" has one, the empty segment). */
    private static int segmentCount(String key) {
        if (key.isEmpty()) {
            return 0;
        }
        int n = 0;
        int pos = 0;
        while (pos >= 0 && n < MAX_DEPTH) {
            n++;
            pos = key.indexOf('/', pos + 1);
        }
        return n;
    }

    /** Index just past segment {@code depth} of a path starting with '/' (or its length when it has fewer). */
    private static int endOfSegment(String path, int depth) {
        int pos = 0;
        for (int d = 0; d < depth; d++) {
            int next = path.indexOf('/', pos + 1);
            if (next < 0) {
                return path.length();
            }
            pos = next;
        }
        return pos;
    }

    /** The first route of the tier, in priority order, that matches the request; null when none. */
    RouteMatch firstMatch(RequestView request) {
        String path = request.path();
        if (path.isEmpty() || path.charAt(0) != '/') {
            return firstMatchByScan(request); // not a path our keys describe: keep the plain scan's answer
        }
        Candidates c1 = NONE;
        Candidates c2 = NONE;
        Candidates c3 = NONE;
        int end = path.indexOf('/', 1);
        String k1 = end < 0 ? path : path.substring(0, end);
        c1 = lookup(0, k1);
        if (end >= 0) {
            int end2 = path.indexOf('/', end + 1);
            c2 = lookup(1, end2 < 0 ? path : path.substring(0, end2));
            if (end2 >= 0) {
                int end3 = path.indexOf('/', end2 + 1);
                c3 = lookup(2, end3 < 0 ? path : path.substring(0, end3));
            }
        }
        return merge(request, anyPath, c1, c2, c3);
    }

    private Candidates lookup(int depthIndex, String key) {
        Candidates c = byDepth.get(depthIndex).get(key);
        return c == null ? NONE : c;
    }

    /** Tries the candidates of the four lists in tier order: always the list whose next route ranks first. */
    private static RouteMatch merge(RequestView request, Candidates a, Candidates b, Candidates c, Candidates d) {
        int ia = 0;
        int ib = 0;
        int ic = 0;
        int id = 0;
        while (true) {
            int pa = ia < a.positions.length ? a.positions[ia] : Integer.MAX_VALUE;
            int pb = ib < b.positions.length ? b.positions[ib] : Integer.MAX_VALUE;
            int pc = ic < c.positions.length ? c.positions[ic] : Integer.MAX_VALUE;
            int pd = id < d.positions.length ? d.positions[id] : Integer.MAX_VALUE;
            int min = Math.min(Math.min(pa, pb), Math.min(pc, pd));
            Route next;
            if (min == Integer.MAX_VALUE) {
                return null;
            } else if (min == pa) {
                next = a.routes[ia++];
            } else if (min == pb) {
                next = b.routes[ib++];
            } else if (min == pc) {
                next = c.routes[ic++];
            } else {
                next = d.routes[id++];
            }
            RouteMatch m = next.matchIgnoringHost(request);
            if (m != null) {
                return m;
            }
        }
    }

    /** The plain scan in priority order: the answer {@link #firstMatch} must give (also used by tests). */
    RouteMatch firstMatchByScan(RequestView request) {
        for (Route r : all) {
            RouteMatch m = r.matchIgnoringHost(request);
            if (m != null) {
                return m;
            }
        }
        return null;
    }
}
