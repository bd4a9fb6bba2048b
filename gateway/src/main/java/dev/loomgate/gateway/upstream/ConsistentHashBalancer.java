package dev.loomgate.gateway.upstream;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.loomgate.gateway.http.RequestView;

/**
 * Consistent hashing on a ring of virtual nodes. Each host owns {@code weight × pointsPerUnit}
 * points at positions {@code hash64("host:port#i")}; a request's key hashes to a position and
 * the first point at or after it (wrapping) names the owner. Point positions depend only on the
 * endpoint's {@code host:port} and the point number, so adding or removing an endpoint moves only
 * the keys that the new endpoint takes over or that the removed one owned, and every node of the
 * cluster computes the same ring.
 *
 * <p>The ring is immutable after construction: lookups are a binary search over a sorted
 * {@code long[]} with no locking.
 */
final class ConsistentHashBalancer implements LoadBalancer {
    static final int POINTS_PER_WEIGHT_UNIT = 160;
    /** Bounds ring memory (12 bytes a point) for very large weight sums; fewer points per unit then. */
    static final int MAX_RING_POINTS = 1 << 17;

    private final UpstreamHost[] hosts;
    private final HashKeySpec keySpec;
    private final long[] ring;
    private final int[] owners;

    ConsistentHashBalancer(List<UpstreamHost> hosts, HashKeySpec keySpec) {
        this.hosts = hosts.toArray(UpstreamHost[]::new);
        this.keySpec = keySpec;
        long totalWeight = 0;
        for (UpstreamHost h : this.hosts) {
            totalWeight += h.weight();
        }
        int perUnit = totalWeight == 0 ? 0
                : (int) Math.max(1, Math.min(POINTS_PER_WEIGHT_UNIT, MAX_RING_POINTS / totalWeight));
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < this.hosts.length; i++) {
            String id = this.hosts[i].endpoint().id();
            int count = this.hosts[i].weight() * perUnit;
            for (int v = 0; v < count; v++) {
                points.add(new Point(Hash64.hash(id + "#" + v), i, id));
            }
        }
        // Ties (practically never with 64 bits) go to the smaller id so every node agrees.
        points.sort(Comparator.comparingLong(Point::position).thenComparing(Point::id));
        long[] positions = new long[points.size()];
        int[] ownerOf = new int[points.size()];
        int size = 0;
        for (Point p : points) {
            if (size > 0 && positions[size - 1] == p.position()) {
                continue;
            }
            positions[size] = p.position();
            ownerOf[size] = p.host();
            size++;
        }
        this.ring = Arrays.copyOf(positions, size);
        this.owners = Arrays.copyOf(ownerOf, size);
    }

    private record Point(long position, int host, String id) {
    }

    @Override
    public Optional<UpstreamHost> choose(RequestView request, Set<UpstreamHost> exclude) {
        boolean any = false;
        for (UpstreamHost h : hosts) {
            if (h.available() && !exclude.contains(h)) {
                any = true;
                break;
            }
        }
        if (!any) {
            return Optional.empty();
        }
        int start = ringIndex(Hash64.hash(key(request)));
        // Walk clockwise to the first point whose host is usable: the owner if it is, otherwise
        // the next distinct host, as if the owner's points were not on the ring.
        for (int step = 0; step < ring.length; step++) {
            UpstreamHost h = hosts[owners[(start + step) % ring.length]];
            if (h.available() && !exclude.contains(h)) {
                return Optional.of(h);
            }
        }
        return Optional.empty(); // unreachable: a usable host has points on the ring
    }

    /** The key the request hashes by; the client IP when the configured source is absent. */
    String key(RequestView request) {
        Optional<String> key = switch (keySpec.source()) {
            case HEADER -> request.header(keySpec.name());
            case COOKIE -> request.cookie(keySpec.name());
            case SESSION -> request.sessionId();
            case CLIENT_IP -> Optional.empty();
        };
        return key.filter(k -> !k.isEmpty()).orElseGet(request::clientIp);
    }

    /** Index of the first ring point at or after {@code position}, wrapping to 0. */
    private int ringIndex(long position) {
        int i = Arrays.binarySearch(ring, position);
        if (i < 0) {
            i = -i - 1;
        }
        return i == ring.length ? 0 : i;
    }

    /** Which host owns {@code key} when every host is usable (for tests and diagnostics). */
    UpstreamHost owner(String key) {
        return hosts[owners[ringIndex(Hash64.hash(key))]];
    }
}
