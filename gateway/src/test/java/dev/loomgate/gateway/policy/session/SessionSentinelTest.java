package dev.loomgate.gateway.policy.session;

import static dev.loomgate.gateway.policy.session.SessionProxyTest.enc;
import static dev.loomgate.gateway.policy.session.SessionTestKit.echoed;
import static dev.loomgate.gateway.policy.session.SessionTestKit.get;
import static dev.loomgate.gateway.policy.session.SessionTestKit.setCookie;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.loomgate.gateway.redis.RedisSettings;
import dev.loomgate.gateway.redis.RedisTestServers;
import dev.loomgate.gateway.redis.RedisTestServers.Server;
import dev.loomgate.gateway.testing.TestGateway;
import dev.loomgate.gateway.testing.TestUpstream;
import dev.loomgate.testsupport.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sessions on Sentinel (master + replica + 3 sentinels): the master dies under load; no 5xx, no session lost. */
class SessionSentinelTest {
    private static final String MASTER_NAME = "loomgate-sessions";
    private static final int SESSIONS = 10;

    @TempDir
    Path dir;

    @Test
    void sessionsSurviveASentinelFailover() throws Exception {
        try (RedisTestServers servers = RedisTestServers.create();
             TestUpstream upstream = TestUpstream.start("u").behave(SessionTestKit.sessionDriver("u"))) {
            Server master = servers.startServer();
            Server replica = servers.startReplica(master);
            List<Server> sentinels = servers.startSentinels(3, MASTER_NAME, master);
            RedisSettings settings = RedisSettings.builder(RedisSettings.sentinel(MASTER_NAME,
                    sentinels.stream().map(Server::address).toList()).topology()).readTimeout(Duration.ofMillis(500))
                    .build();
            String routes = SessionProxyTest.routes(upstream, SessionProxyTest.keys(dir, "k1"));
            try (TestGateway node = TestGateway.start(routes, c -> c.toBuilder().redis(settings).build())) {
                List<String> cookies = new ArrayList<>();
                for (int i = 0; i < SESSIONS; i++) {
                    cookies.add(setCookie(get(node, "/x?set=" + enc("a0=s" + i), Optional.empty())).orElseThrow());
                }
                Await.until("the replica caught up", Duration.ofSeconds(10), () -> RedisTestServers.info(replica.port(),
                        "keyspace").contains("keys=" + SESSIONS + ","));
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong ok = new AtomicLong();
                AtomicLong without = new AtomicLong();
                Map<String, Long> errors = new ConcurrentHashMap<>();
                Thread load = Thread.ofVirtual().start(() -> {
                    for (int n = 0; !stop.get(); n++) {
                        int s = n % SESSIONS;
                        try {
                            HttpResponse<String> r = get(node, "/x", Optional.of(cookies.get(s)));
                            if (r.statusCode() >= 500) {
                                errors.merge("status " + r.statusCode(), 1L, Long::sum);
                            } else if (("s" + s).equals(echoed(r).get("x-attr-a0"))) {
                                ok.incrementAndGet();
                            } else {
                                without.incrementAndGet();
                            }
                            Thread.sleep(5); // pacing
                        } catch (Exception e) {
                            errors.merge(e.getClass().getSimpleName(), 1L, Long::sum);
                        }
                    }
                });
                Await.until("load running", () -> ok.get() >= 20);
                long killedAt = System.nanoTime();
                servers.kill(master);
                Await.until("the replica promoted", Duration.ofSeconds(30),
                        () -> RedisTestServers.info(replica.port(), "replication").contains("role:master"));
                long promoted = ok.get();
                Await.until("sessions served from the new master", Duration.ofSeconds(20), () -> ok.get() > promoted + 50);
                long recoveredMs = (System.nanoTime() - killedAt) / 1_000_000;
                stop.set(true);
                load.join();
                int lost = 0;
                for (int i = 0; i < SESSIONS; i++) {
                    HttpResponse<String> r = get(node, "/check", Optional.of(cookies.get(i)));
                    if (!("s" + i).equals(echoed(r).get("x-attr-a0")) || setCookie(r).isPresent()) {
                        lost++;
                    }
                }
                System.out.printf("Sentinel failover under session load: sessions served again %d ms after the kill;"
                        + " %d requests with their session, %d without it (on-redis-down: continue), errors %s;"
                        + " sessions lost %d of %d%n", recoveredMs, ok.get(), without.get(), errors, lost, SESSIONS);
                assertEquals(Map.of(), errors, "no 5xx, no failed request");
                assertEquals(0, lost, "every session survives on the promoted replica");
            }
        }
    }
}
