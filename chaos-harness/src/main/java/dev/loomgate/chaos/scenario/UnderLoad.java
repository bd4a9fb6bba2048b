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
 * fault log shares the main load's clock. {@link #result} builds the scenario result after {@link #await}.
 * <p>
 * A scenario that compares with a baseline starts with a warm-up: the same loads run for that long first, so the
 * nodes' JIT, connection pools and Redis connections are warm before the baseline is taken. Requests that started
 * in the warm-up are left out of every figure, criterion and the report; {@link #at} counts from its end.
 */
public final class UnderLoad implements AutoCloseable {
    private final ChaosCluster cluster;
    private final ScenarioContext context;
    private final RunningLoad main;
    private final Optional<RunningLoad> limited;
    private final FaultLog faults;
    private final long startMillis;
    private final long warmUpMillis;
    private List<RequestRecord> mainRecords = List.of();
    private Optional<List<RequestRecord>> limitedResult = Optional.empty();

    private UnderLoad(ChaosCluster cluster, ScenarioContext context, RunningLoad main, Optional<RunningLoad> limited,
                      Duration warmUp) {
        this.cluster = cluster;
        this.context = context;
        this.main = main;
        this.limited = limited;
        this.faults = new FaultLog(main.clock());
        this.warmUpMillis = warmUp.toMillis();
        this.startMillis = main.clock().epochMillis() + warmUpMillis;
    }

    /** Starts the main load for at most {@code duration}. */
    public static UnderLoad start(ChaosCluster cluster, ScenarioContext context, Duration duration)
            throws java.io.IOException {
        return new UnderLoad(cluster, context, load(cluster, context, context.mainLoad(cluster, duration)),
                Optional.empty(), Duration.ZERO);
    }

    /** Starts the main load and the load on the rate-limited route. */
    public static UnderLoad startWithLimited(ChaosCluster cluster, ScenarioContext context, Duration duration)
            throws java.io.IOException {
        return startWithLimited(cluster, context, Duration.ZERO, duration);
    }

    /**
     * Starts the main load and the load on the rate-limited route with a warm-up of {@code warmUp} first (left out
     * of the figures); {@code duration} is the measured part.
     */
    public static UnderLoad startWithLimited(ChaosCluster cluster, ScenarioContext context, Duration warmUp,
                                             Duration duration) throws java.io.IOException {
        if (!warmUp.isZero()) {
            context.say("warm-up: " + warmUp.toSeconds() + " s of the same load first, left out of every figure");
        }
        Duration total = warmUp.plus(duration);
        RunningLoad main = load(cluster, context, context.mainLoad(cluster, total));
        try {
            return new UnderLoad(cluster, context, main,
                    Optional.of(load(cluster, context, context.limitedLoad(cluster, total))), warmUp);
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

    /** Waits for the loads to end and every request to complete; drops the warm-up's records. */
    public void await() throws InterruptedException, java.io.IOException {
        List<RequestRecord> all = main.await();
        mainRecords = afterWarmUp(all, startMillis);
        if (limited.isPresent()) {
            List<RequestRecord> lim = limited.get().await();
            limitedResult = Optional.of(afterWarmUp(lim, startMillis));
            if (warmUpMillis > 0) {
                context.say("warm-up: " + warmUpFigures(all, startMillis) + " (main), "
                        + warmUpFigures(lim, startMillis) + " (rate-limited route); not counted");
            }
        }
    }

    /** The records of requests that started at or after {@code measuredFromMillis}: the warm-up left out. */
    static List<RequestRecord> afterWarmUp(List<RequestRecord> records, long measuredFromMillis) {
        return records.stream().filter(r -> r.startMillis() >= measuredFromMillis).toList();
    }

    private static String warmUpFigures(List<RequestRecord> records, long measuredFromMillis) {
        List<RequestRecord> warm = records.stream().filter(r -> r.startMillis() < measuredFromMillis).toList();
        var p99 = dev.loomgate.chaos.report.Figures.p99(warm, dev.loomgate.chaos.report.Window.all());
        return warm.size() + " requests, p99 "
                + (p99.isPresent() ? dev.loomgate.chaos.report.Criterion.format(p99.getAsDouble()) + " ms" : "n/a");
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
