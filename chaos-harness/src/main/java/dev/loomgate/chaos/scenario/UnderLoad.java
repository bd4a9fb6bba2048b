package dev.loomgate.chaos.scenario;

import dev.loomgate.chaos.load.LoadGenerator;
import dev.loomgate.chaos.load.LoadResult;
import dev.loomgate.chaos.load.LoadRun;
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
    private final LoadRun main;
    private final Optional<LoadRun> limited;
    private final FaultLog faults;
    private final long startMillis;
    private LoadResult mainResult;
    private Optional<LoadResult> limitedResult = Optional.empty();

    private UnderLoad(ChaosCluster cluster, ScenarioContext context, LoadRun main, Optional<LoadRun> limited) {
        this.cluster = cluster;
        this.context = context;
        this.main = main;
        this.limited = limited;
        this.faults = new FaultLog(main.clock());
        this.startMillis = main.clock().epochMillis();
    }

    /** Starts the main load for at most {@code duration}. */
    public static UnderLoad start(ChaosCluster cluster, ScenarioContext context, Duration duration) {
        return new UnderLoad(cluster, context, LoadGenerator.start(context.mainLoad(cluster, duration)), Optional.empty());
    }

    /** Starts the main load and the load on the rate-limited route. */
    public static UnderLoad startWithLimited(ChaosCluster cluster, ScenarioContext context, Duration duration) {
        LoadRun main = LoadGenerator.start(context.mainLoad(cluster, duration));
        return new UnderLoad(cluster, context, main,
                Optional.of(LoadGenerator.start(context.limitedLoad(cluster, duration))));
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
        limited.ifPresent(LoadRun::stop);
    }

    /** Waits for the loads to end and every request to complete. */
    public void await() throws InterruptedException {
        mainResult = main.await();
        if (limited.isPresent()) {
            limitedResult = Optional.of(limited.get().await());
        }
    }

    public List<RequestRecord> records() {
        return mainResult.records();
    }

    public List<RequestRecord> limitedRecords() {
        return limitedResult.map(LoadResult::records).orElse(List.of());
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
        limited.ifPresent(LoadRun::close);
    }
}
