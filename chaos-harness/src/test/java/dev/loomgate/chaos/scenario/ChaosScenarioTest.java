package dev.loomgate.chaos.scenario;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every scenario of issue 7, full length, on a fresh cluster in the best mode available. Tagged {@code chaos}:
 * excluded from the default build; run with {@code make chaos-junit} or
 * {@code ./mvnw -pl chaos-harness test -Dgroups=chaos -DexcludedGroups=none}.
 */
@Tag("chaos")
class ChaosScenarioTest {

    @ParameterizedTest(name = "scenario {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9})
    void scenario(int number) throws Exception {
        ChaosRuns.runAndAssert(number, ClusterMode.best(), false);
    }
}
