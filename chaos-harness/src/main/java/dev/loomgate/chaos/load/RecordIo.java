package dev.loomgate.chaos.load;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Writes records as CSV or JSON lines (one object per line), and reads JSON lines back. */
public final class RecordIo {
    public static final String CSV_HEADER = "seq,kind,method,idempotent,scheduled_epoch_ns,start_epoch_ns,latency_ns,"
            + "status,error,node,lb,new_connection,stale_retried";

    private RecordIo() {
    }

    public static void writeCsv(Path file, List<RequestRecord> records) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(CSV_HEADER);
            w.write('\n');
            for (RequestRecord r : records) {
                w.write(r.seq() + "," + r.kind().label() + "," + r.method() + "," + r.idempotent() + ","
                        + r.scheduledEpochNanos() + "," + r.startEpochNanos() + "," + r.latencyNanos() + ","
                        + r.status() + "," + csv(r.error().label()) + "," + csv(r.node().orElse("")) + ","
                        + csv(r.lb().orElse("")) + "," + r.newConnection() + "," + r.staleRetried());
                w.write('\n');
            }
        }
    }

    public static void writeJsonLines(Path file, List<RequestRecord> records) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (RequestRecord r : records) {
                w.write(toJson(r).toString());
                w.write('\n');
            }
        }
    }

    public static List<RequestRecord> readJsonLines(Path file) throws IOException {
        List<RequestRecord> out = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNo = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                try (JsonReader jr = Json.createReader(new StringReader(line))) {
                    out.add(fromJson(jr.readObject()));
                } catch (RuntimeException e) {
                    throw new IOException(file + ":" + lineNo + ": not a request record: " + e.getMessage(), e);
                }
            }
        }
        return out;
    }

    public static JsonObject toJson(RequestRecord r) {
        JsonObjectBuilder b = Json.createObjectBuilder()
                .add("seq", r.seq())
                .add("kind", r.kind().label())
                .add("method", r.method())
                .add("idempotent", r.idempotent())
                .add("scheduled_epoch_ns", r.scheduledEpochNanos())
                .add("start_epoch_ns", r.startEpochNanos())
                .add("latency_ns", r.latencyNanos())
                .add("status", r.status())
                .add("error", r.error().label())
                .add("new_connection", r.newConnection())
                .add("stale_retried", r.staleRetried());
        r.node().ifPresent(n -> b.add("node", n));
        r.lb().ifPresent(l -> b.add("lb", l));
        return b.build();
    }

    public static RequestRecord fromJson(JsonObject o) {
        return new RequestRecord(o.getJsonNumber("seq").longValue(),
                RequestKind.fromLabel(o.getString("kind")),
                o.getJsonNumber("scheduled_epoch_ns").longValue(),
                o.getJsonNumber("start_epoch_ns").longValue(),
                o.getJsonNumber("latency_ns").longValue(),
                o.getInt("status"),
                ErrorClass.fromLabel(o.getString("error")),
                Optional.ofNullable(o.getString("node", null)),
                Optional.ofNullable(o.getString("lb", null)),
                o.getBoolean("new_connection", false),
                o.getBoolean("stale_retried", false));
    }

    private static String csv(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
