package dev.loomgate.gateway.config;

import dev.loomgate.gateway.units.Units;

import dev.loomgate.gateway.yaml.YamlValue;
import dev.loomgate.gateway.yaml.ConfigException;

import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.loomgate.gateway.consul.ConsulSettings;

/** Parses the {@code consul:} block of gateway.yaml into a {@link ConsulConfig}. */
final class ConsulConfigParser {
    static final Set<String> KEYS = RoutesParser.orderedSet("addresses", "token", "tls", "kv-prefix", "routes",
            "snapshot-file", "register", "advertise-address", "check-interval", "deregister-after", "panic-threshold",
            "freeze", "watch-wait");
    static final Set<String> TLS_KEYS = RoutesParser.orderedSet("enabled", "ca-file");
    /** Consul caps the {@code wait} of a blocking query at 10 minutes. */
    private static final Duration MAX_WATCH_WAIT = Duration.ofMinutes(10);

    private ConsulConfigParser() {
    }

    static ConsulConfig parse(YamlValue v, Path baseDir) throws ConfigException {
        YamlValue.Fields f = v.fields(KEYS);
        boolean tls = false;
        Optional<Path> caFile = Optional.empty();
        if (f.has("tls")) {
            YamlValue t = f.required("tls");
            if (t.isScalar()) {
                tls = t.bool();
            } else {
                YamlValue.Fields tf = t.fields(TLS_KEYS);
                tls = !tf.has("enabled") || tf.required("enabled").bool();
                if (tf.has("ca-file")) {
                    caFile = Optional.of(baseDir.resolve(path(tf.required("ca-file"))));
                }
            }
        }
        List<URI> addresses = new ArrayList<>();
        YamlValue a = f.required("addresses");
        List<YamlValue> items = a.isScalar() ? List.of(a) : a.sequence();
        for (YamlValue item : items) {
            try {
                addresses.add(ConsulSettings.address(item.nonBlankString(), tls));
            } catch (IllegalArgumentException e) {
                throw item.error(e.getMessage());
            }
        }
        if (addresses.isEmpty()) {
            throw a.error("must list at least one Consul agent address");
        }
        ConsulConfig.Builder c = ConsulConfig.builder().addresses(addresses);
        caFile.ifPresent(c::caFile);
        if (f.has("token")) {
            c.token(f.required("token").nonBlankString());
        }
        if (f.has("kv-prefix")) {
            YamlValue p = f.required("kv-prefix");
            String prefix = p.nonBlankString();
            if (!prefix.endsWith("/")) {
                prefix = prefix + "/";
            }
            if (prefix.startsWith("/") || prefix.contains("..")) {
                throw p.error("must not start with '/' or contain '..'");
            }
            c.kvPrefix(prefix);
        }
        if (f.has("routes")) {
            YamlValue r = f.required("routes");
            String s = r.string();
            if (!s.equals("kv") && !s.equals("file")) {
                throw r.error("must be 'kv' (routes from Consul KV) or 'file' (routes file, endpoints from Consul)");
            }
            c.routesFromKv(s.equals("kv"));
        }
        c.snapshotFile(baseDir.resolve(f.has("snapshot-file") ? path(f.required("snapshot-file"))
                : ConsulConfig.DEFAULT_SNAPSHOT_FILE));
        if (f.has("register")) {
            c.register(f.required("register").bool());
        }
        if (f.has("advertise-address")) {
            c.advertiseAddress(f.required("advertise-address").nonBlankString());
        }
        if (f.has("check-interval")) {
            c.checkInterval(positive(f.required("check-interval")));
        }
        if (f.has("deregister-after")) {
            c.deregisterAfter(positive(f.required("deregister-after")));
        }
        if (f.has("panic-threshold")) {
            YamlValue p = f.required("panic-threshold");
            String s = p.string().trim();
            double threshold;
            try {
                threshold = s.endsWith("%") ? Double.parseDouble(s.substring(0, s.length() - 1)) / 100
                        : Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw p.error("must be a share like 0.5 or 50%");
            }
            if (threshold < 0 || threshold > 1) {
                throw p.error("must be between 0 and 1 (or 0% and 100%)");
            }
            c.panicThreshold(threshold);
        }
        if (f.has("freeze")) {
            c.freeze(f.required("freeze").bool());
        }
        if (f.has("watch-wait")) {
            Duration wait = positive(f.required("watch-wait"));
            if (wait.compareTo(MAX_WATCH_WAIT) > 0) {
                throw f.required("watch-wait").error("must be at most 10m (Consul's cap)");
            }
            c.watchWait(wait);
        }
        return c.build();
    }

    private static Path path(YamlValue v) throws ConfigException {
        try {
            return Path.of(v.nonBlankString());
        } catch (InvalidPathException e) {
            throw v.error("not a valid path: " + e.getReason());
        }
    }

    private static Duration positive(YamlValue v) throws ConfigException {
        Duration d = v.duration();
        if (d.isZero()) {
            throw v.error("must be > 0");
        }
        return d;
    }
}
