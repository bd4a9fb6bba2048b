package dev.loomgate.benchmarks;

import dev.loomgate.gateway.route.RouteMatch;
import dev.loomgate.gateway.route.RouteTable;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.Optional;

/**
 * One {@link RouteTable#match} per operation over the generated table, cycling through 1,000 lookups that hit every
 * kind of route and miss in five ways (GeneratedRoutes). Modes and iterations come from {@link RouteBenchmarks}.
 */
@State(Scope.Thread)
public class RouteMatchBenchmark {
    @Param("10000")
    public int routes;

    private RouteTable table;
    private LookupRequest[] requests;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        RouteFixture f = RouteFixture.checked(routes);
        table = f.table();
        requests = f.requests().toArray(LookupRequest[]::new);
    }

    @Benchmark
    public Optional<RouteMatch> match() {
        LookupRequest r = requests[next];
        next = next + 1 == requests.length ? 0 : next + 1;
        return table.match(r);
    }
}
