package dev.loomgate.consul.standin.store;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The session table (SPEC §7): TTL invalidation at 2×TTL, check binding, release/delete behaviours. */
public final class Sessions {
    private static final Duration TTL_MIN = Duration.ofSeconds(10);
    private static final Duration TTL_MAX = Duration.ofHours(24);
    private static final Duration LOCK_DELAY_MAX = Duration.ofSeconds(60);

    private final Store store;
    final LinkedHashMap<String, Session> sessions = new LinkedHashMap<>();
    long tableIndex;

    Sessions(Store store) {
        this.store = store;
    }

    /** A validated create request. */
    public record CreateRequest(String name, String node, Duration lockDelay, String behavior, Duration ttl,
                                List<String> nodeChecks, List<String> serviceChecks) {
    }

    public Session create(CreateRequest request) {
        if (!request.behavior().equals("release") && !request.behavior().equals("delete")) {
            throw ConsulError.internal("Invalid Behavior setting '" + request.behavior() + "'");
        }
        Duration ttl = request.ttl();
        if (!ttl.isZero() && (ttl.compareTo(TTL_MIN) < 0 || ttl.compareTo(TTL_MAX) > 0)) {
            throw ConsulError.internal("Invalid Session TTL '" + ttl.toNanos() + "', must be between ["
                    + GoDuration.format(TTL_MIN) + "=" + GoDuration.format(TTL_MAX) + "]");
        }
        Duration lockDelay = request.lockDelay().compareTo(LOCK_DELAY_MAX) > 0 ? LOCK_DELAY_MAX : request.lockDelay();
        return store.mutate(tx -> {
            if (!request.node().equals(store.catalog().node().nodeName())) {
                throw ConsulError.internal("Missing node registration");
            }
            Map<String, String> statuses = store.catalog().checkStatusesLocked();
            for (String check : concat(request.nodeChecks(), request.serviceChecks())) {
                String status = statuses.get(check);
                if (status == null) {
                    throw ConsulError.internal("Missing check '" + check + "' registration");
                }
                if (status.equals("critical")) {
                    throw ConsulError.internal("Check '" + check + "' is in critical state");
                }
            }
            long index = tx.index();
            Session session = new Session(UUID.randomUUID().toString(), request.name(), request.node(), lockDelay,
                    request.behavior(), ttl, request.nodeChecks(), request.serviceChecks(), index, index,
                    deadline(ttl));
            sessions.put(session.id(), session);
            tableIndex = index;
            return session;
        });
    }

    /** Renews a session's TTL (S-4); 404 for an unknown or expired session. */
    public Session renew(String id) {
        return store.mutate(tx -> {
            Session s = sessions.get(id);
            if (s == null) {
                throw ConsulError.notFound("Session id '" + id + "' not found");
            }
            Session renewed = new Session(s.id(), s.name(), s.node(), s.lockDelay(), s.behavior(), s.ttl(),
                    s.nodeChecks(), s.serviceChecks(), s.createIndex(), s.modifyIndex(), deadline(s.ttl()));
            sessions.put(id, renewed);
            return renewed;
        });
    }

    /** Idempotent destroy (S-5). */
    public void destroy(String id) {
        store.mutate(tx -> {
            invalidateLocked(tx, id);
            return null;
        });
    }

    public Store.Indexed<Optional<Session>> info(String id) {
        return store.read(() -> new Store.Indexed<>(Optional.ofNullable(sessions.get(id)), tableIndex));
    }

    /** Invalidates sessions whose TTL ran out (the server does so at 2×TTL, S-3). */
    public void expireSessions() {
        store.mutate(tx -> {
            long now = System.nanoTime();
            for (Session s : List.copyOf(sessions.values())) {
                if (!s.ttl().isZero() && now - s.invalidateAtNanos() >= 0) {
                    invalidateLocked(tx, s.id());
                }
            }
            return null;
        });
    }

    boolean existsLocked(String id) {
        return sessions.containsKey(id);
    }

    void onCheckCriticalLocked(Store.Tx tx, String checkId) {
        onCheckGoneLocked(tx, checkId);
    }

    void onCheckGoneLocked(Store.Tx tx, String checkId) {
        for (Session s : List.copyOf(sessions.values())) {
            if (s.allChecks().contains(checkId)) {
                invalidateLocked(tx, s.id());
            }
        }
    }

    private void invalidateLocked(Store.Tx tx, String id) {
        Session s = sessions.remove(id);
        if (s == null) {
            return;
        }
        tableIndex = tx.index();
        store.kv().invalidateSessionLocked(tx, id, s.behavior().equals("delete"), s.lockDelay().toNanos());
    }

    private static long deadline(Duration ttl) {
        return ttl.isZero() ? 0 : System.nanoTime() + 2 * ttl.toNanos();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
