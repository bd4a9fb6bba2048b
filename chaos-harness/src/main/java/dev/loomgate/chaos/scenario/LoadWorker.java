package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.load.LoadConfig;
import dev.loomgate.chaos.load.LoadGenerator;
import dev.loomgate.chaos.load.LoadRun;
import dev.loomgate.chaos.load.RecordIo;
import dev.loomgate.chaos.load.RequestKind;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Child-JVM entry point of {@link NamespacedLoad}: runs one load from its arguments, stops early on {@code stop}
 * or end of stdin, writes the records as JSON lines to {@code --out}.
 */
public final class LoadWorker {
    private LoadWorker() {
    }

    static List<String> args(LoadConfig c, Path out) {
        return List.of("--host", c.host(), "--port", Integer.toString(c.port()),
                "--rate", Double.toString(c.ratePerSecond()), "--requests", Long.toString(c.maxRequests()),
                "--duration-ms", Long.toString(c.maxDuration().toMillis()),
                "--get", NamespacedLoad.kindPath(c, RequestKind.GET),
                "--post-key", NamespacedLoad.kindPath(c, RequestKind.POST_IDEMPOTENT),
                "--post", NamespacedLoad.kindPath(c, RequestKind.POST),
                "--mix", c.weights().getOrDefault(RequestKind.GET, 0) + ","
                        + c.weights().getOrDefault(RequestKind.POST_IDEMPOTENT, 0) + ","
                        + c.weights().getOrDefault(RequestKind.POST, 0),
                "--new-connections", Double.toString(c.newConnectionShare()),
                "--max-in-flight", Integer.toString(c.maxInFlight()),
                "--read-timeout-ms", Long.toString(c.readTimeout().toMillis()),
                "--seed", Long.toString(c.seed()),
                "--out", out.toString());
    }

    static LoadConfig parse(Map<String, String> o) {
        String[] mix = o.get("mix").split(",");
        return LoadConfig.builder(o.get("host"), Integer.parseInt(o.get("port")))
                .rate(Double.parseDouble(o.get("rate")))
                .maxRequests(Long.parseLong(o.get("requests")))
                .maxDuration(Duration.ofMillis(Long.parseLong(o.get("duration-ms"))))
                .path(RequestKind.GET, o.get("get"))
                .path(RequestKind.POST_IDEMPOTENT, o.get("post-key"))
                .path(RequestKind.POST, o.get("post"))
                .mix(Integer.parseInt(mix[0]), Integer.parseInt(mix[1]), Integer.parseInt(mix[2]))
                .newConnectionShare(Double.parseDouble(o.get("new-connections")))
                .maxInFlight(Integer.parseInt(o.get("max-in-flight")))
                .readTimeout(Duration.ofMillis(Long.parseLong(o.get("read-timeout-ms"))))
                .seed(Long.parseLong(o.get("seed")))
                .build();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].substring(2), args[i + 1]);
        }
        LoadConfig config = parse(o);
        try (LoadRun run = LoadGenerator.start(config)) {
            Thread.ofVirtual().start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null && !line.strip().equals("stop")) {
                        // only "stop" means something
                    }
                } catch (java.io.IOException ignored) {
                    // stdin gone: stop as well
                }
                run.stop();
            });
            var result = run.await();
            RecordIo.writeJsonLines(Path.of(o.get("out")), result.records());
            System.out.println("load worker: " + result.records().size() + " records");
        }
    }
}
