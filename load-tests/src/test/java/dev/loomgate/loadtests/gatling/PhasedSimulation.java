package dev.loomgate.loadtests.gatling;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A simulation made of {@link LoadPlan} phases: one scenario per phase, each a single GET named after the
 * phase and injected open-model (constant arrival rate) from its start second. Every measured phase is
 * asserted on p99 and on its share of failed requests, so a missed goal fails the run. Run only by
 * make load / bin/load-test (gatling:test is bound to no phase of the build).
 */
abstract class PhasedSimulation extends Simulation {
    PhasedSimulation(Sim sim) {
        LoadSettings settings = LoadSettings.fromSystemProperties();
        if (settings.sim() != sim) {
            throw new IllegalArgumentException("-Dload.sim=" + settings.sim().id() + " but this is " + sim.id());
        }
        HttpProtocolBuilder protocol = http.baseUrl(settings.requireUrl())
                .disableWarmUp()
                // one pool shared by all virtual users: keep-alive connections as a client fleet behind a
                // proxy would hold, so the figures are request handling, not one TCP handshake per request
                .shareConnections()
                .acceptHeader("*/*")
                .userAgentHeader("loomgate-gatling");
        List<PopulationBuilder> populations = new ArrayList<>();
        List<Assertion> assertions = new ArrayList<>();
        for (Phase p : LoadPlan.phases(settings)) {
            List<OpenInjectionStep> steps = new ArrayList<>();
            if (p.startSec() > 0) {
                steps.add(nothingFor(Duration.ofSeconds(p.startSec())));
            }
            steps.add(constantUsersPerSec(p.rate()).during(Duration.ofSeconds(p.seconds())));
            populations.add(scenario(p.name())
                    .exec(http(p.name()).get(settings.path()).check(status().is(200)))
                    .injectOpen(steps));
            if (p.asserted()) {
                assertions.add(details(p.name()).responseTime().percentile(99.0).lte(settings.p99Ms()));
                assertions.add(details(p.name()).failedRequests().percent().lte(settings.maxErrorPct()));
            }
        }
        setUp(populations).protocols(protocol).assertions(assertions);
    }
}
