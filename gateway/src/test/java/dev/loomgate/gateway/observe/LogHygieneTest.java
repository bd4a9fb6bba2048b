package dev.loomgate.gateway.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access log and the JSON application log: their fields, and no credential in either. */
class LogHygieneTest {
    private static final String SECRET = "s3cr3t-7f1c9a";

    @Test
    void accessLogWritesThePathWithoutTheQueryString() {
        AccessLog.Entry e = new AccessLog.Entry(1_700_000_000_000L, "gw1", "demo", "demo", "10.0.0.1:9001", "GET",
                "/demo/items?api_key=" + SECRET + "&token=" + SECRET, 200, 1.5, 0, 12, "req-1", "10.0.0.9", "abc", "");
        String line = AccessLog.toJson(e);
        assertFalse(line.contains(SECRET), line);
        JsonObject json = parse(line);
        assertEquals("/demo/items", json.getString("path"));
        assertEquals(List.of("time", "node", "route", "upstream", "endpoint", "method", "path", "status", "duration_ms",
                "bytes_in", "bytes_out", "request_id", "client", "trace_id"), List.copyOf(json.keySet()));
        assertEquals("gw1", json.getString("node"));
        assertEquals("req-1", json.getString("request_id"));
    }

    @Test
    void redactionReplacesEveryCredentialValueAndKeepsTheRest() {
        for (String message : List.of("Authorization: Bearer " + SECRET, "authorization=Basic " + SECRET,
                "Cookie: session=" + SECRET + "; theme=" + SECRET, "X-Api-Key: " + SECRET, "GET /x?api_key=" + SECRET,
                "{\"token\":\"" + SECRET + "\"}", "redis password=" + SECRET, "admin-token: " + SECRET, "upstream refused the Bearer " + SECRET + " it got")) {
            String redacted = LogRedaction.message(message);
            assertFalse(redacted.contains(SECRET), message + " -> " + redacted);
            assertTrue(redacted.contains(LogRedaction.REDACTED), message + " -> " + redacted);
        }
        for (String plain : List.of("upstream demo: 3 endpoints, 1 ejected", "token bucket refilled for route demo",
                "admin token required on 10.77.0.21:9080", "session expired")) {
            assertEquals(plain, LogRedaction.message(plain));
        }
    }

    @Test
    void jsonFormatterWritesOneObjectPerRecordWithTheNodeAndRedactedMessage() {
        LogRecord r = new LogRecord(Level.WARNING, "rejected {0} with Authorization: Bearer {1}");
        r.setParameters(new Object[] {"push 7", SECRET});
        r.setLoggerName("dev.loomgate.gateway.discovery.KvRoutesWatcher");
        r.setThrown(new IllegalStateException("token=" + SECRET));
        String line = new JsonLogFormatter("gw2").format(r);
        assertTrue(line.endsWith("}\n") && line.indexOf('\n') == line.length() - 1, line);
        assertFalse(line.contains(SECRET), line);
        JsonObject json = parse(line);
        assertEquals("WARNING", json.getString("level"));
        assertEquals("gw2", json.getString("node"));
        assertEquals("dev.loomgate.gateway.discovery.KvRoutesWatcher", json.getString("logger"));
        assertEquals("rejected push 7 with Authorization: Bearer [redacted]", json.getString("message"));
        assertTrue(json.getString("error").startsWith("java.lang.IllegalStateException: token=[redacted]"),
                json.getString("error"));
    }

    @Test
    void appLoggingWritesJsonLinesToTheConfiguredFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("app.log");
        Logger root = Logger.getLogger("");
        var before = root.getHandlers();
        try {
            AppLogging.install(new LogSettings(LogSettings.Format.JSON, file.toString()), "gw3");
            Logger.getLogger("dev.loomgate.test").info("node started");
            List<String> lines = Files.readAllLines(file);
            assertEquals(1, lines.size(), lines.toString());
            JsonObject json = parse(lines.get(0));
            assertEquals("node started", json.getString("message"));
            assertEquals("gw3", json.getString("node"));
            assertEquals("INFO", json.getString("level"));
        } finally {
            for (var h : root.getHandlers()) {
                root.removeHandler(h);
                h.close();
            }
            for (var h : before) {
                root.addHandler(h);
            }
        }
    }

    private static JsonObject parse(String line) {
        return Json.createReader(new java.io.StringReader(line)).readObject();
    }
}
