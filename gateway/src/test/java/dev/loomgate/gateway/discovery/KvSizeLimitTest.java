package dev.loomgate.gateway.discovery;

import dev.loomgate.testsupport.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.loomgate.consul.standin.ConsulStandin;
import dev.loomgate.gateway.yaml.ConfigException;
import dev.loomgate.gateway.consul.ConsulClient;
import dev.loomgate.gateway.consul.ConsulSettings;
import dev.loomgate.gateway.consul.KvEntry;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** KV route values are limited by raw size before they are assembled or parsed. */
class KvSizeLimitTest {
    @TempDir
    Path dir;

    @Test
    void layoutRefusesAnOversizedValueNamingItsKey() {
        KvRoutesLayout layout = new KvRoutesLayout("loomgate/", 1024);
        String big = "{\"id\": \"big\", \"upstream\": \"u\", \"x\": \"" + "a".repeat(2000) + "\"}";
        List<KvEntry> entries = List.of(
                new KvEntry("loomgate/upstreams/u", "{\"name\": \"u\", \"endpoints\": [\"127.0.0.1:1\"]}".getBytes(), 0, 1, 1),
                new KvEntry("loomgate/routes/big", big.getBytes(), 0, 2, 2));
        KvRoutesLayout.Assembled a = layout.assemble(entries);
        assertTrue(a.text().length() < 1024, "the oversized value never enters the document");
        ConfigException e = assertThrows(ConfigException.class, () -> layout.parse(a));
        assertEquals("loomgate/routes/big: size " + big.length() + " bytes exceeds limit 1024 bytes"
                + " (limits.max-config-size)", e.getMessage());
    }

    @Test
    void nodeRejectsAnOversizedKvValueAndTheOldRoutesKeepServing() throws Exception {
        ConsulStandin consul = ConsulNodes.standin();
        try (TestUpstream up = TestUpstream.start("u1");
             ConsulClient client = new ConsulClient(ConsulSettings.of(consul.baseUri()));
             TestGateway node = ConsulNodes.node(consul, "node-1", dir, c -> c,
                     n -> n.toBuilder().limits(l -> l.maxConfigSize(16 * 1024)).build())) {
            client.kvPut("loomgate/upstreams/u", "{\"name\": \"u\", \"endpoints\": [\"" + up.address() + "\"]}");
            client.kvPut("loomgate/routes/old", "{\"id\": \"old\", \"upstream\": \"u\", \"match\": {\"path-prefix\": \"/old\"}}");
            client.kvPut("loomgate/config-version", "v1");
            // the routes key alone may be applied first under a content-hash version: wait for v1 itself
            Await.until("v1 applied and served", Duration.ofSeconds(10),
                    () -> node.node().routing().current().version().equals("v1") && ConsulNodes.status(node, "/old") == 200);

            // a 100 KB value: comments count (YAML inside a KV value may carry them too)
            String big = "{\"id\": \"big\", \"upstream\": \"u\", \"match\": {\"path-prefix\": \"/big\"}}\n"
                    + "# filler\n".repeat(10_000);
            client.kvPut("loomgate/routes/big", big);
            client.kvPut("loomgate/config-version", "v2-big");
            Await.until("status written", Duration.ofSeconds(10), () -> kv(client, "loomgate/status/node-1").contains("v2-big"));
            String status = kv(client, "loomgate/status/node-1");
            assertTrue(status.contains("\"rejected\"") && status.contains("loomgate/routes/big: size ")
                    && status.contains("exceeds limit 16384 bytes"), status);
            assertEquals("v1", node.node().routing().current().version());
            assertEquals(200, ConsulNodes.status(node, "/old"), "old routes keep serving");
        } finally {
            consul.stop();
        }
    }

    private static String kv(ConsulClient client, String key) {
        try {
            return client.kvGet(key).map(KvEntry::valueUtf8).orElse("");
        } catch (Exception e) {
            return "";
        }
    }
}
