package dev.loomgate.consul.standin;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With a data dir, a restarted stand-in keeps its state and its index counter (like a Consul agent). */
class PersistenceTest {
    @TempDir
    Path dataDir;

    @Test
    void stateSurvivesANewInstanceOnTheSameDataDir() {
        ConsulStandin first = ConsulStandin.builder().port(0).dataDir(dataDir).build().start();
        long kvIndex;
        long lastIndex;
        String session;
        try {
            Http http = new Http(first);
            assertEquals("true", http.put("/v1/kv/cfg/a?flags=7", "hello").body());
            kvIndex = http.get("/v1/kv/cfg/a").index();
            assertEquals(200, http.put("/v1/agent/service/register",
                    "{\"ID\":\"s1\",\"Name\":\"svc\",\"Tags\":[\"t\"],\"Port\":80,\"Check\":{\"CheckID\":\"c1\","
                            + "\"TTL\":\"60s\"}}").status());
            assertEquals(200, http.put("/v1/agent/check/pass/c1?note=ok", null).status());
            session = http.put("/v1/session/create", "{\"TTL\":\"60s\"}").json().asJsonObject().getString("ID");
            assertEquals("true", http.put("/v1/kv/lock?acquire=" + session, "me").body());
            lastIndex = first.lastIndex();
        } finally {
            first.stop();
        }

        ConsulStandin second = ConsulStandin.builder().port(0).dataDir(dataDir).build().start();
        try {
            Http http = new Http(second);
            JsonObject entry = http.get("/v1/kv/cfg/a").json().asJsonArray().getJsonObject(0);
            assertEquals("aGVsbG8=", entry.getString("Value"));
            assertEquals(7, entry.getInt("Flags"));
            assertEquals(kvIndex, entry.getJsonNumber("ModifyIndex").longValue());
            assertEquals(lastIndex, second.lastIndex(), "the index counter continues");
            JsonObject health = http.get("/v1/health/service/svc?passing").json().asJsonArray().getJsonObject(0);
            assertEquals("s1", health.getJsonObject("Service").getString("ID"));
            assertEquals(1, http.get("/v1/session/info/" + session).json().asJsonArray().size());
            assertEquals(session, http.get("/v1/kv/lock").json().asJsonArray().getJsonObject(0).getString("Session"));
            http.put("/v1/kv/cfg/b", "x");
            assertTrue(http.get("/v1/kv/cfg/b").index() > lastIndex);

            second.restart(false);
            assertEquals(404, http.get("/v1/kv/cfg/a").status(), "restart(false) forgets, also on disk");
        } finally {
            second.stop();
        }
        ConsulStandin third = ConsulStandin.builder().port(0).dataDir(dataDir).build().start();
        try {
            assertEquals(404, new Http(third).get("/v1/kv/cfg/a").status());
        } finally {
            third.stop();
        }
    }
}
