package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.load.RecordIo;
import dev.loomgate.chaos.load.RequestRecord;
import dev.loomgate.chaos.report.Criterion;
import dev.loomgate.chaos.report.LogLink;
import dev.loomgate.chaos.report.ScenarioResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The load of one scenario: the main mixed load and, optionally, a second load on the rate-limited route; the
 * fault log shares the main load's clock. {@link #finish} waits for both and builds the scenario result.
 */
public final class UnderLoad implements AutoCloseable {
    private final ChaosCluster cluster;
    private final ScenarioContext context;
    private final RunningLoad main;
    private final Optional<RunningLoad> limited;
    private final FaultLog faults;
    private final long startMillis;
    private List<RequestRecord> mainRecords = List.of();
    private Optional<List<RequestRecord>> limitedResult = Optional.empty();

    private UnderLoad(ChaosCluster cluster, ScenarioContext context, RunningLoad main, Optional<RunningLoad> limited) {
        this.cluster = cluster;
        this.context = context;
        this.main = main;
        this.limited = limited;
        this.faults = new FaultLog(main.clock());
        this.startMillis = main.clock().epochMillis();
    }

    /** Starts the main load for at most {@code duration}. */
    public static UnderLoad start(ChaosCluster cluster, ScenarioContext context, Duration duration)
            throws java.io.IOException {
        return new UnderLoad(cluster, context, load(cluster, context, context.mainLoad(cluster, duration)),
                Optional.empty());
    }

    /** Starts the main load and the load on the rate-limited route. */
    public static UnderLoad startWithLimited(ChaosCluster cluster, ScenarioContext context, Duration duration)
            throws java.io.IOException {
        RunningLoad main = load(cluster, context, context.mainLoad(cluster, duration));
        try {
            return new UnderLoad(cluster, context, main,
                    Optional.of(load(cluster, context, context.limitedLoad(cluster, duration))));
        } catch (java.io.IOException | RuntimeException e) {
            main.close();
            throw e;
        }
    }

    private static RunningLoad load(ChaosCluster cluster, ScenarioContext context,
                                    dev.loomgate.chaos.load.LoadConfig config)
            throws java.io.IOException {
        return RunningLoad.start(config, cluster.clientNamespace(), context.outDir().resolve("load"));
    }

    public FaultLog faults() {
        return faults;
    }

    public long startMillis() {
        return startMillis;
    }

    public long now() {
        return faults.clock().epochMillis();
    }

    /** Sleeps until {@code offset} after the load started. */
    public void at(Duration offset) throws InterruptedException {
        faults.sleepUntil(startMillis + offset.toMillis());
    }

    /** Stops scheduling now (when the fault sequence, not the clock, decides the end). */
    public void stop() {
        main.stop();
        limited.ifPresent(RunningLoad::stop);
    }

    /** Waits for the loads to end and every request to complete. */
    public void await() throws InterruptedException, java.io.IOException {
        mainRecords = main.await();
        if (limited.isPresent()) {
            limitedResult = Optional.of(limited.get().await());
        }
    }

    public List<RequestRecord> records() {
        return mainRecords;
    }

    public List<RequestRecord> limitedRecords() {
        return limitedResult.orElse(List.of());
    }

    /** Main and limited records together (the report's timeline shows both). */
    public List<RequestRecord> allRecords() {
        List<RequestRecord> all = new ArrayList<>(records());
        all.addAll(limitedRecords());
        return all;
    }

    /** Writes the records and builds the result with links to the records and every process log. */
    public ScenarioResult result(Scenario scenario, List<Criterion> criteria) throws java.io.IOException {
        Files.createDirectories(context.outDir());
        List<LogLink> links = new ArrayList<>();
        Path records = context.outDir().resolve("records.jsonl");
        RecordIo.writeJsonLines(records, records());
        links.add(new LogLink("requests (JSON lines)", records));
        if (limitedResult.isPresent()) {
            Path lim = context.outDir().resolve("records-limited.jsonl");
            RecordIo.writeJsonLines(lim, limitedRecords());
            links.add(new LogLink("rate-limited route requests (JSON lines)", lim));
        }
        links.addAll(processLogs(cluster));
        return ScenarioResult.of(scenario.title(), scenario.description(), allRecords(), faults.events(), criteria,
                links);
    }

    static List<LogLink> processLogs(ChaosCluster cluster) {
        List<ClusterProcess> all = new ArrayList<>();
        all.addAll(cluster.gateways());
        all.addAll(cluster.lbs());
        all.addAll(cluster.redisServers());
        all.addAll(cluster.sentinels());
        all.add(cluster.consul());
        all.addAll(cluster.upstreams());
        List<LogLink> out = new ArrayList<>();
        for (ClusterProcess p : all) {
            out.add(new LogLink(p.name() + " log", p.log()));
        }
        return out;
    }

    @Override
    public void close() {
        main.close();
        limited.ifPresent(RunningLoad::close);
    }
}
