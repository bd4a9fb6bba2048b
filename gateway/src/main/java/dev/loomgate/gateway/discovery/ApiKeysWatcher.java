package dev.loomgate.gateway.discovery;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

import dev.loomgate.gateway.consul.Backoff;
import dev.loomgate.gateway.consul.BlockingWatch;
import dev.loomgate.gateway.consul.ConsulClient;
import dev.loomgate.gateway.consul.ConsulException;
import dev.loomgate.gateway.consul.KvEntry;
import dev.loomgate.gateway.policy.apikey.ApiKeyDirectory;
import dev.loomgate.gateway.policy.apikey.ApiKeyEntry;

/**
 * Keeps a node's {@link ApiKeyDirectory} equal to the keys under {@code <kv-prefix>api-keys/} (one blocking query):
 * a key created or revoked with {@code loomgate keys} takes effect on every node within a Consul round trip.
 * A malformed entry is skipped with a warning; while Consul is unreachable the last keys keep serving.
 */
public final class ApiKeysWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ApiKeysWatcher.class.getName());

    private final BlockingWatch<List<KvEntry>> watch;

    private ApiKeysWatcher(BlockingWatch<List<KvEntry>> watch) {
        this.watch = watch;
    }

    /** The KV folder of the keys. */
    public static String folder(String kvPrefix) {
        return kvPrefix + "api-keys/";
    }

    public static ApiKeysWatcher start(ConsulClient client, String kvPrefix, Duration wait, ApiKeyDirectory directory) {
        String folder = folder(kvPrefix);
        BlockingWatch<List<KvEntry>> watch = new BlockingWatch<>("api-keys",
                (index, w) -> client.kvList(folder, index, w), wait, Backoff.defaults(),
                new BlockingWatch.Listener<>() {
                    @Override
                    public void changed(List<KvEntry> entries) {
                        Map<String, ApiKeyEntry> keys = new HashMap<>();
                        for (KvEntry e : entries) {
                            String id = e.key().substring(Math.min(folder.length(), e.key().length()));
                            try {
                                keys.put(id, ApiKeyDirectory.fromJson(id, e.valueUtf8()));
                            } catch (IllegalArgumentException ex) {
                                LOG.warning(() -> "api key " + e.key() + " skipped: " + ex.getMessage());
                            }
                        }
                        directory.replace(keys);
                        LOG.info(() -> "api keys from Consul: " + keys.size());
                    }

                    @Override
                    public void failed(ConsulException error, int failures) {
                        if (failures == 1) {
                            LOG.warning(() -> "api keys: Consul read failed, the last keys keep serving: "
                                    + error.getMessage());
                        }
                    }
                });
        return new ApiKeysWatcher(watch.start());
    }

    @Override
    public void close() {
        watch.close();
    }
}
