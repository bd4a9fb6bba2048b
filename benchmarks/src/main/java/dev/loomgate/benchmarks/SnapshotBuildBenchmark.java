package dev.loomgate.benchmarks;

import dev.loomgate.gateway.routing.RoutingSnapshot;
import dev.loomgate.gateway.routing.RoutingState;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.logging.Logger;

/**
 * What a node does with a pushed routes document: parse the YAML text (validating every route), compile it
 * (RoutingState.apply: route table, pipelines, upstream registry) and swap the new snapshot in, over a state that
 * already serves a table of the same size, as on a real change.
 */
@State(Scope.Thread)
public class SnapshotBuildBenchmark {
    // held here: a logger only referenced while setting its level may be collected, and its level with it
    private static final Logger ROUTING_LOG = Logger.getLogger(RoutingState.class.getName());

    @Param("10000")
    public int routes;

    private String yaml;
    private RoutingState state;

    @Setup(Level.Trial)
    public void setUp() {
        // RoutingState logs one INFO line per applied version: not what is measured
        ROUTING_LOG.setLevel(java.util.logging.Level.WARNING);
        RouteFixture f = RouteFixture.checked(routes);
        yaml = f.generated().yaml();
        state = new RoutingState();
        state.apply(f.document());
    }

    @Benchmark
    public RoutingSnapshot parseApplySwap() {
        return state.apply(RouteFixture.parse(yaml));
    }
}
