package dev.loomgate.gateway.call;

import java.util.List;

import dev.loomgate.gateway.resilience.OutlierDetector;
import dev.loomgate.gateway.resilience.ResilienceMetrics;
import dev.loomgate.gateway.upstream.UpstreamHost;

/** Tells the upstream's outlier detector how each try went; counts the ejections it makes. */
final class OutlierCall implements EndpointCall {
    private final String upstream;
    private final List<UpstreamHost> hosts;
    private final OutlierDetector detector;
    private final OutcomeRule rule;
    private final ResilienceMetrics metrics;
    private final EndpointCall next;

    /** @param hosts the upstream's endpoints: at most max-ejection-percent of them are ejected */
    OutlierCall(String upstream, List<UpstreamHost> hosts, OutlierDetector detector, OutcomeRule rule,
                ResilienceMetrics metrics, EndpointCall next) {
        this.upstream = upstream;
        this.hosts = List.copyOf(hosts);
        this.detector = detector;
        this.rule = rule;
        this.metrics = metrics;
        this.next = next;
    }

    @Override
    public TryOutcome call(EndpointTry attempt) {
        TryOutcome outcome = next.call(attempt);
        UpstreamHost host = attempt.host();
        switch (rule.judge(outcome)) {
            case SUCCESS -> OutlierDetector.success(host);
            case FAILURE -> {
                if (detector.failure(hosts, host)) {
                    metrics.ejected(upstream, host.endpoint().id());
                }
            }
            case IGNORE -> {
            }
        }
        return outcome;
    }
}
