package dev.loomgate.consul.standin.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The node's services and checks, which are at once the agent's local state and the catalog (the stand-in is a
 * single server agent, so anti-entropy is instant). All methods take the store lock.
 */
public final class Catalog {
    public static final String SERF_CHECK_ID = "serfHealth";
    public static final String CONSUL_SERVICE = "consul";

    private final Store store;
    private final NodeIdentity node;
    final LinkedHashMap<String, CatalogService> services = new LinkedHashMap<>();
    final LinkedHashMap<String, CheckState> checks = new LinkedHashMap<>();
    final Map<String, Long> serviceNameIndex = new HashMap<>();
    private HealthEntry.NodeRecord nodeRecord;
    long servicesTableIndex;
    long lastServiceRemovalIndex;

    Catalog(Store store, NodeIdentity node) {
        this.store = store;
        this.node = node;
    }

    void bootstrap(Store.Tx tx) {
        long index = tx.index();
        nodeRecord = new HealthEntry.NodeRecord(node, index, index);
        CheckDefinition serf = new CheckDefinition(SERF_CHECK_ID, "Serf Health Status", "", "", "", "", "",
                Map.of(), "", false, "", false, "", Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO,
                0, 0, 0);
        checks.put(SERF_CHECK_ID, new CheckState(serf, "", List.of(), "passing", "Agent alive and reachable",
                index, index, 0, 0));
        ServiceDefinition consul = new ServiceDefinition(CONSUL_SERVICE, CONSUL_SERVICE, List.of(), "", 8300,
                Map.of(), Map.of(), 1, 1, false, "");
        services.put(CONSUL_SERVICE, new CatalogService(consul, index, index));
        serviceNameIndex.put(CONSUL_SERVICE, index);
        servicesTableIndex = index;
    }

    public NodeIdentity node() {
        return node;
    }

    /** A new check's initial state and whether it had one before (re-registration keeps status, A-6). */
    public record NewCheck(CheckDefinition definition, String initialStatus) {
    }

    /** Registers or replaces a service and its checks. */
    public void register(ServiceDefinition service, List<NewCheck> newChecks, boolean replaceExistingChecks) {
        store.mutate(tx -> {
            CatalogService existing = services.get(service.id());
            boolean serviceChanged = existing == null || !existing.definition().equals(service);
            Set<String> wanted = new LinkedHashSet<>();
            for (NewCheck nc : newChecks) {
                wanted.add(nc.definition().checkId());
            }
            boolean checksChanged = false;
            if (replaceExistingChecks) {
                for (CheckState c : List.copyOf(checks.values())) {
                    if (c.definition().serviceId().equals(service.id()) && !wanted.contains(c.checkId())) {
                        checks.remove(c.checkId());
                        store.sessions().onCheckGoneLocked(tx, c.checkId());
                        checksChanged = true;
                    }
                }
            }
            if (serviceChanged) {
                long index = tx.index();
                services.put(service.id(), new CatalogService(service,
                        existing == null ? index : existing.createIndex(), index));
                servicesTableIndex = index;
                if (existing != null && !existing.definition().name().equals(service.name())) {
                    touchService(tx, existing.definition().name());
                }
                // checks left out of this registration still carry the service's name and tags
                for (CheckState c : List.copyOf(checks.values())) {
                    if (c.definition().serviceId().equals(service.id()) && !wanted.contains(c.checkId())) {
                        checks.put(c.checkId(), new CheckState(c.definition(), service.name(), service.tags(),
                                c.status(), c.output(), c.createIndex(), index, c.criticalSinceNanos(),
                                c.ttlDeadlineNanos()));
                    }
                }
            }
            for (NewCheck nc : newChecks) {
                CheckDefinition def = nc.definition();
                CheckState old = checks.get(def.checkId());
                if (old != null && old.definition().equals(def) && !serviceChanged) {
                    continue;
                }
                long index = tx.index();
                String status = old != null ? old.status() : nc.initialStatus();
                String output = old != null ? old.output() : "";
                long criticalSince = old != null ? old.criticalSinceNanos() : System.nanoTime();
                long ttlDeadline = def.isTtl() ? System.nanoTime() + def.ttl().toNanos() : 0;
                checks.put(def.checkId(), new CheckState(def, service.name(), service.tags(), status, output,
                        old == null ? index : old.createIndex(), index, criticalSince, ttlDeadline));
                checksChanged = true;
            }
            if (serviceChanged || checksChanged) {
                touchService(tx, service.name());
            }
            return null;
        });
    }

    /** Removes a service and its checks; 404 for an unknown ID. */
    public void deregister(String serviceId) {
        store.mutate(tx -> {
            CatalogService existing = services.get(serviceId);
            if (existing == null || serviceId.equals(CONSUL_SERVICE)) {
                throw ConsulError.notFound("Unknown service ID \"" + serviceId
                        + "\". Ensure that the service ID is passed, not the service name.");
            }
            removeServiceLocked(tx, existing);
            return null;
        });
    }

    private void removeServiceLocked(Store.Tx tx, CatalogService service) {
        String id = service.definition().id();
        services.remove(id);
        for (CheckState c : List.copyOf(checks.values())) {
            if (c.definition().serviceId().equals(id)) {
                checks.remove(c.checkId());
                store.sessions().onCheckGoneLocked(tx, c.checkId());
            }
        }
        long index = tx.index();
        servicesTableIndex = index;
        lastServiceRemovalIndex = index;
        touchService(tx, service.definition().name());
    }

    /**
     * The agent check-update endpoints: 404 for an unknown check, 500 for a check without TTL. A TTL update
     * restarts the TTL timer even when nothing else changes.
     */
    public void updateTtlCheck(String checkId, String status, String output) {
        store.mutate(tx -> {
            CheckState check = checks.get(checkId);
            if (check == null || check.definition().serviceId().isEmpty() && checkId.equals(SERF_CHECK_ID)) {
                throw ConsulError.notFound("Unknown check ID \"" + checkId
                        + "\". Ensure that the check ID is passed, not the check name.");
            }
            if (!check.definition().isTtl()) {
                throw ConsulError.internal("CheckID \"" + checkId + "\" does not have associated TTL");
            }
            long deadline = System.nanoTime() + check.definition().ttl().toNanos();
            setStatusLocked(tx, check, status, output, deadline);
            return null;
        });
    }

    /** Records a probe result of an HTTP/TCP check; ignored when the check is gone or was redefined. */
    public void recordResult(CheckDefinition definition, String status, String output) {
        store.mutate(tx -> {
            CheckState check = checks.get(definition.checkId());
            if (check != null && check.definition().equals(definition)) {
                setStatusLocked(tx, check, status, output, check.ttlDeadlineNanos());
            }
            return null;
        });
    }

    private void setStatusLocked(Store.Tx tx, CheckState check, String status, String output, long ttlDeadline) {
        if (check.status().equals(status)) {
            // Output-only changes are not synced at once (Consul defers them by check_update_interval, 5m),
            // so they take no index and wake no watcher; the new output is visible on the next read.
            checks.put(check.checkId(), new CheckState(check.definition(), check.serviceName(),
                    check.serviceTags(), status, output, check.createIndex(), check.modifyIndex(),
                    check.criticalSinceNanos(), ttlDeadline));
            return;
        }
        long index = tx.index();
        long criticalSince = status.equals("critical")
                ? (check.status().equals("critical") ? check.criticalSinceNanos() : System.nanoTime())
                : 0;
        checks.put(check.checkId(), new CheckState(check.definition(), check.serviceName(), check.serviceTags(),
                status, output, check.createIndex(), index, criticalSince, ttlDeadline));
        touchService(tx, check.serviceName());
        if (status.equals("critical")) {
            store.sessions().onCheckCriticalLocked(tx, check.checkId());
        }
    }

    /** TTL checks whose timer ran out go critical. */
    public void expireTtlChecks() {
        store.mutate(tx -> {
            long now = System.nanoTime();
            for (CheckState check : List.copyOf(checks.values())) {
                if (check.definition().isTtl() && now - check.ttlDeadlineNanos() >= 0
                        && !check.status().equals("critical")) {
                    String output = check.output().isEmpty() ? "TTL expired"
                            : "TTL expired (last output before timeout follows): " + check.output();
                    setStatusLocked(tx, check, "critical", output, check.ttlDeadlineNanos());
                }
            }
            return null;
        });
    }

    /** Removes services with a check critical for longer than its DeregisterCriticalServiceAfter. */
    public List<String> reapCriticalServices(Duration minimumAfter) {
        return store.mutate(tx -> {
            long now = System.nanoTime();
            List<String> reaped = new ArrayList<>();
            for (CheckState check : List.copyOf(checks.values())) {
                Duration after = check.definition().deregisterCriticalServiceAfter();
                if (after.isZero() || !check.status().equals("critical")) {
                    continue;
                }
                if (after.compareTo(minimumAfter) < 0) {
                    after = minimumAfter;
                }
                CatalogService service = services.get(check.definition().serviceId());
                if (service != null && now - check.criticalSinceNanos() > after.toNanos()) {
                    removeServiceLocked(tx, service);
                    reaped.add(service.definition().id());
                }
            }
            return reaped;
        });
    }

    private void touchService(Store.Tx tx, String name) {
        serviceNameIndex.put(name, tx.index());
    }

    private long serviceIndexLocked(String name) {
        boolean live = services.values().stream().anyMatch(s -> s.definition().name().equals(name));
        if (live) {
            return serviceNameIndex.getOrDefault(name, servicesTableIndex);
        }
        return lastServiceRemovalIndex > 0 ? lastServiceRemovalIndex : servicesTableIndex;
    }

    /** Instances of a service having all the tags (case-insensitive, H-3), with their checks. */
    public Store.Indexed<List<HealthEntry>> health(String serviceName, List<String> tags) {
        return store.read(() -> {
            List<HealthEntry> result = new ArrayList<>();
            for (CatalogService service : services.values()) {
                ServiceDefinition def = service.definition();
                if (!def.name().equals(serviceName) || !hasAllTags(def, tags)) {
                    continue;
                }
                List<CheckState> instanceChecks = new ArrayList<>();
                for (CheckState check : checks.values()) {
                    String owner = check.definition().serviceId();
                    if (owner.equals(def.id()) || owner.isEmpty()) {
                        instanceChecks.add(check);
                    }
                }
                // the state store iterates checks in (node, CheckID) order
                instanceChecks.sort(java.util.Comparator.comparing(CheckState::checkId));
                result.add(new HealthEntry(nodeRecord, service, instanceChecks));
            }
            return new Store.Indexed<>(result, serviceIndexLocked(serviceName));
        });
    }

    /** Service name to the tags of all its instances (C-1). */
    public Store.Indexed<Map<String, Set<String>>> serviceNames() {
        return store.read(() -> {
            Map<String, Set<String>> names = new TreeMap<>();
            for (CatalogService service : services.values()) {
                names.computeIfAbsent(service.definition().name(), n -> new LinkedHashSet<>())
                        .addAll(service.definition().tags());
            }
            return new Store.Indexed<>(names, servicesTableIndex);
        });
    }

    /** Services registered through the agent API (the servers' own {@code consul} service is not one). */
    public List<CatalogService> agentServices() {
        return store.read(() -> services.values().stream()
                .filter(s -> !s.definition().id().equals(CONSUL_SERVICE)).toList());
    }

    public List<CheckState> checks() {
        return store.read(() -> List.copyOf(checks.values()));
    }

    /** Whether a check exists and its status; used by sessions. */
    Map<String, String> checkStatusesLocked() {
        Map<String, String> statuses = new HashMap<>();
        checks.forEach((id, c) -> statuses.put(id, c.status()));
        return statuses;
    }

    private static boolean hasAllTags(ServiceDefinition def, List<String> wanted) {
        for (String tag : wanted) {
            String lower = tag.toLowerCase(Locale.ROOT);
            if (def.tags().stream().noneMatch(t -> t.toLowerCase(Locale.ROOT).equals(lower))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "Catalog[" + Objects.requireNonNull(node).nodeName() + ", services=" + services.keySet() + "]";
    }
}
