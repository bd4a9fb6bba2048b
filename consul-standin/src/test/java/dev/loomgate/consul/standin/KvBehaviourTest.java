package dev.loomgate.consul.standin;

import dev.loomgate.testsupport.Await;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** KV semantics, the index rules and blocking queries (SPEC §2, §3). */
class KvBehaviourTest {
    private ConsulStandin standin;
    private Http http;

    @BeforeEach
    void start() {
        standin = ConsulStandin.builder().port(0).build().start();
        http = new Http(standin);
    }

    @AfterEach
    void stop() {
        standin.stop();
    }

    private JsonObject entry(String key) {
        Http.Response r = http.get("/v1/kv/" + key);
        assertEquals(200, r.status(), key);
        return r.json().asJsonArray().getJsonObject(0);
    }

    private long modifyIndex(String key) {
        return entry(key).getJsonNumber("ModifyIndex").longValue();
    }

    @Test
    void checkAndSet() {
        assertEquals("true", http.put("/v1/kv/k?cas=0", "a").body(), "cas=0 creates an absent key");
        assertEquals("false", http.put("/v1/kv/k?cas=0", "b").body(), "cas=0 refuses an existing key");
        long index = modifyIndex("k");
        assertEquals("false", http.put("/v1/kv/k?cas=" + (index - 1), "b").body());
        assertEquals("true", http.put("/v1/kv/k?cas=" + index, "b").body());
        assertEquals("Yg==", entry("k").getString("Value"));
        assertEquals(index, entry("k").getJsonNumber("CreateIndex").longValue(), "CreateIndex is kept");
        assertTrue(modifyIndex("k") > index);

        long current = modifyIndex("k");
        assertEquals("false", http.delete("/v1/kv/k?cas=0").body(), "cas=0 never deletes an existing key");
        assertEquals("false", http.delete("/v1/kv/k?cas=" + (current - 1)).body());
        assertEquals("true", http.delete("/v1/kv/k?cas=" + current).body());
        assertEquals(404, http.get("/v1/kv/k").status());
        assertEquals("true", http.delete("/v1/kv/k?cas=5").body(), "cas delete of an absent key is true");
        assertEquals(400, http.delete("/v1/kv/k?cas=1&recurse").status());
    }

    @Test
    void flagsAreUnsigned64BitAndResetByAPlainPut() {
        assertEquals("true", http.put("/v1/kv/f?flags=18446744073709551615", "x").body());
        assertEquals("18446744073709551615", entry("f").get("Flags").toString());
        http.put("/v1/kv/f", "x");
        assertEquals(0, entry("f").getInt("Flags"));
    }

    @Test
    void recurseKeysSeparatorAndPlainPrefixes() {
        for (String key : List.of("app/a", "app/b/c", "app/b/d", "apple", "other")) {
            assertEquals("true", http.put("/v1/kv/" + key, key).body());
        }
        JsonArray recursed = http.get("/v1/kv/app?recurse").json().asJsonArray();
        // prefixes are plain string prefixes (KV-1)
        assertEquals(List.of("app/a", "app/b/c", "app/b/d", "apple"),
                recursed.stream().map(v -> v.asJsonObject().getString("Key")).toList());
        assertEquals("[\"app/a\",\"app/b/\"]", http.get("/v1/kv/app/?keys&separator=/").body());
        assertEquals("[\"app/a\",\"app/b/c\",\"app/b/d\"]", http.get("/v1/kv/app/?keys").body());
        assertEquals(404, http.get("/v1/kv/nothing/?recurse").status());
        assertEquals(404, http.get("/v1/kv/nothing/?keys").status());
        assertEquals(5, http.get("/v1/kv/?recurse").json().asJsonArray().size());
        assertEquals(400, http.get("/v1/kv/").status(), "an empty key needs ?recurse");

        assertEquals("true", http.delete("/v1/kv/app/?recurse").body());
        assertEquals(List.of("apple", "other"), http.get("/v1/kv/?keys").json().asJsonArray().stream()
                .map(v -> ((jakarta.json.JsonString) v).getString()).toList());
    }

    @Test
    void indexIsNeverZeroAndGrowsOnEveryChangeOnly() {
        Http.Response empty = http.get("/v1/kv/missing");
        assertEquals(404, empty.status());
        assertTrue(empty.index() >= 1, "never 0, even for an empty store");
        long before = standin.lastIndex();
        http.put("/v1/kv/a", "1");
        long a1 = modifyIndex("a");
        http.put("/v1/kv/b", "1");
        long b1 = modifyIndex("b");
        assertTrue(a1 > before && b1 > a1, "strictly increasing");
        http.put("/v1/kv/a", "1");
        assertEquals(a1, modifyIndex("a"), "an identical write takes no index (KV-9)");
        assertEquals(b1, standin.lastIndex());
        assertEquals(b1, http.get("/v1/kv/missing").index(), "a miss reports the store-wide index");
        assertEquals(a1, http.get("/v1/kv/a").index(), "a hit reports the entry's ModifyIndex");

        http.delete("/v1/kv/b");
        long deleted = standin.lastIndex();
        assertTrue(deleted > b1);
        assertEquals(deleted, http.get("/v1/kv/?recurse").index());
        // the tombstone keeps the prefix index from falling (BQ-8)
        assertEquals(deleted, http.get("/v1/kv/b?recurse").index());
    }

    @Test
    void blockingQueryReturnsOnChange() throws Exception {
        http.put("/v1/kv/watched", "v1");
        long index = http.get("/v1/kv/watched").index();
        CompletableFuture<Http.Response> watch = CompletableFuture.supplyAsync(
                () -> http.get("/v1/kv/watched?index=" + index + "&wait=30s"));
        // lets the query park (nothing shows that it has; a query that arrives later blocks the same way, as
        // the key's ModifyIndex is what it compares), then a window in which it would (wrongly) return
        Thread.sleep(300);
        http.put("/v1/kv/unrelated", "x");
        Thread.sleep(300);
        assertFalse(watch.isDone(), "an unrelated write does not end the watch of an existing key");
        http.put("/v1/kv/watched", "v2");
        Http.Response changed = watch.get(20, TimeUnit.SECONDS);
        assertEquals(200, changed.status());
        assertTrue(changed.index() > index);
        assertEquals("djI=", changed.json().asJsonArray().getJsonObject(0).getString("Value"));
    }

    @Test
    void blockingQueryOnAMissingKeyWakesWhenItAppears() throws Exception {
        long index = http.get("/v1/kv/later").index();
        CompletableFuture<Http.Response> watch = CompletableFuture.supplyAsync(
                () -> http.get("/v1/kv/later?index=" + index + "&wait=30s"));
        // as above: time to park, then a window in which it would (wrongly) return
        Thread.sleep(200);
        http.put("/v1/kv/other", "x");
        Thread.sleep(300);
        assertFalse(watch.isDone(), "recent servers keep a missing-key watch waiting through unrelated writes");
        http.put("/v1/kv/later", "here");
        Http.Response r = watch.get(20, TimeUnit.SECONDS);
        assertEquals(200, r.status());
    }

    @Test
    void blockingQueryReportsTheDeletionOfTheWatchedKey() throws Exception {
        http.put("/v1/kv/doomed", "v");
        long index = http.get("/v1/kv/doomed").index();
        CompletableFuture<Http.Response> watch = CompletableFuture.supplyAsync(
                () -> http.get("/v1/kv/doomed?index=" + index + "&wait=30s"));
        // lets the query park in the stand-in (nothing shows that it has); if it has not, it sees the change at
        // once and the assertions hold all the same
        Thread.sleep(200);
        http.delete("/v1/kv/doomed");
        Http.Response r = watch.get(20, TimeUnit.SECONDS);
        assertEquals(404, r.status());
        assertTrue(r.index() > index);
    }

    @Test
    void blockingQueryTimesOutAtWaitWithUnchangedData() {
        http.put("/v1/kv/quiet", "v");
        long index = http.get("/v1/kv/quiet").index();
        long started = System.nanoTime();
        Http.Response r = http.get("/v1/kv/quiet?index=" + index + "&wait=1s");
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(200, r.status(), "a timeout is a normal 200");
        assertEquals(index, r.index());
        assertTrue(elapsed >= 1000, "returned after " + elapsed + " ms");
        assertTrue(elapsed < 1000 + 1000 / 16 + 3000, "returned after " + elapsed + " ms");

        // index 0 and a stale (too low) index never block
        long quick = System.nanoTime();
        http.get("/v1/kv/quiet?index=0&wait=10s");
        http.get("/v1/kv/quiet?index=1&wait=10s");
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - quick) < 5000);
    }

    @Test
    void spuriousWakeUpReturnsUnchangedData() throws Exception {
        http.put("/v1/kv/k", "v");
        long index = http.get("/v1/kv/k").index();
        CompletableFuture<Http.Response> watch = CompletableFuture.supplyAsync(
                () -> http.get("/v1/kv/k?index=" + index + "&wait=30s"));
        // a wake-up before the query parked would be lost and leave it blocked for 30 s: wake until it returns
        Await.until("the woken blocking query to return", Duration.ofSeconds(20), () -> {
            standin.wakeAllWatchers();
            return watch.isDone();
        });
        Http.Response r = watch.get(20, TimeUnit.SECONDS);
        assertEquals(index, r.index());
    }

    @Test
    void locksWithSessions() {
        String s1 = http.put("/v1/session/create", "{\"LockDelay\":\"0s\"}").json().asJsonObject().getString("ID");
        String s2 = http.put("/v1/session/create", "{\"LockDelay\":\"10s\"}").json().asJsonObject().getString("ID");
        assertEquals(500, http.put("/v1/kv/lock?acquire=nope", "x").status(), "unknown session is an error");
        assertEquals("true", http.put("/v1/kv/lock?acquire=" + s1, "x").body());
        assertEquals(1, entry("lock").getInt("LockIndex"));
        assertEquals("false", http.put("/v1/kv/lock?acquire=" + s2, "y").body());
        assertEquals("true", http.put("/v1/kv/lock?acquire=" + s1, "z").body(), "re-acquire by the holder");
        assertEquals(1, entry("lock").getInt("LockIndex"));
        assertEquals("false", http.put("/v1/kv/lock?release=" + s2, "").body());
        assertEquals("true", http.put("/v1/kv/lock?release=" + s1, "").body());
        assertFalse(entry("lock").containsKey("Session"));
        assertEquals("true", http.put("/v1/kv/lock?acquire=" + s2, "y").body());
        assertEquals(2, entry("lock").getInt("LockIndex"));
        // destroying the holder releases the key and starts its lock-delay (KV-15)
        assertEquals("true", http.put("/v1/session/destroy/" + s2, null).body());
        assertFalse(entry("lock").containsKey("Session"));
        assertEquals("false", http.put("/v1/kv/lock?acquire=" + s1, "x").body(), "inside the lock-delay");
    }

    @Test
    void aTakenPortFailsTheStart() {
        ConsulStandin second = ConsulStandin.builder().port(standin.port()).build();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, second::start);
        second.stop();
    }

    @Test
    void restartWithoutStateResetsTheIndexAndKeepsThePort() {
        for (int i = 0; i < 5; i++) {
            http.put("/v1/kv/n" + i, "v");
        }
        int port = standin.port();
        long before = http.get("/v1/kv/n4").index();
        standin.restart(true);
        assertEquals(port, standin.port());
        assertEquals(before, http.get("/v1/kv/n4").index(), "state kept");
        standin.restart(false);
        assertEquals(port, standin.port());
        Http.Response r = http.get("/v1/kv/n4");
        assertEquals(404, r.status(), "state forgotten");
        assertTrue(r.index() < before, "the index went backwards (BQ-10)");
        assertTrue(r.index() >= 1);
    }
}
