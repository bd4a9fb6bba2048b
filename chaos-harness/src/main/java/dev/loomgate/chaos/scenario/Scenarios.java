package dev.loomgate.chaos.scenario;

import java.util.List;
import java.util.Set;

/**
 * The nine scenarios of issue 7, in order, then the async one of issue 16 (number 10), issue 15's shared state (11)
 * and the saga one of issue 17 (12). Numbers are the scenarios' own: a gap is allowed.
 */
public final class Scenarios {
    private Scenarios() {
    }

    public static List<Scenario> all() {
        return List.of(new GatewayKillScenario(), new RollingRestartScenario(), new LbMasterCrashScenario(),
                new RedisMasterKillScenario(), new ConsulOutageScenario(), new UpstreamKillScenario(),
                new RedisPartitionScenario(), new RedisBlackholeScenario(), new ConfigChurnScenario(),
                new AsyncFailoverScenario(), new SharedStateScenario(), new SagaKillScenario());
    }

    /** The scenarios with these numbers; an unknown number is an error naming it. */
    public static List<Scenario> only(Set<Integer> numbers) {
        List<Integer> known = all().stream().map(Scenario::number).toList();
        for (int n : numbers) {
            if (!known.contains(n)) {
                throw new IllegalArgumentException("--only: no scenario " + n + " (there are " + known + ")");
            }
        }
        return all().stream().filter(s -> numbers.contains(s.number())).toList();
    }
}
