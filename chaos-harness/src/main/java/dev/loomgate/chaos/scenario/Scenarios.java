package dev.loomgate.chaos.scenario;

import java.util.List;
import java.util.Set;

/** The nine scenarios of issue 7, in order, then the async one of issue 16 (10) and issue 15's shared state (11). */
public final class Scenarios {
    private Scenarios() {
    }

    public static List<Scenario> all() {
        return List.of(new GatewayKillScenario(), new RollingRestartScenario(), new LbMasterCrashScenario(),
                new RedisMasterKillScenario(), new ConsulOutageScenario(), new UpstreamKillScenario(),
                new RedisPartitionScenario(), new RedisBlackholeScenario(), new ConfigChurnScenario(),
                new AsyncFailoverScenario(), new SharedStateScenario());
    }

    /** The scenarios with these numbers; an unknown number is an error naming it. */
    public static List<Scenario> only(Set<Integer> numbers) {
        for (int n : numbers) {
            if (n < 1 || n > all().size()) {
                throw new IllegalArgumentException("--only: no scenario " + n + " (there are 1.." + all().size() + ")");
            }
        }
        return all().stream().filter(s -> numbers.contains(s.number())).toList();
    }
}
