package dev.loomgate.gateway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of docs/ARCHITECTURE.md, checked on the compiled main classes: data flows one way
 * (request -> route -> filter chain -> terminal step -> upstream-call decorators), no package cycles, the bottom
 * packages depend on nothing of ours, and each concern stays in its package.
 */
class ArchitectureTest {
    private static final String ROOT = "dev.loomgate.gateway";
    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void noPackageCycles() {
        slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void bottomPackagesDependOnNothingOfOurs() {
        noClasses().that().resideInAnyPackage(ROOT + ".http", ROOT + ".yaml", ROOT + ".http1", ROOT + ".units",
                        ROOT + ".net", ROOT + ".tls")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".admin..", ROOT + ".client..",
                        ROOT + ".cluster..", ROOT + ".config..", ROOT + ".consul..", ROOT + ".discovery..",
                        ROOT + ".frontdoor..", ROOT + ".observe..", ROOT + ".pipeline..", ROOT + ".policy..",
                        ROOT + ".proxy..", ROOT + ".ratelimit..", ROOT + ".redis..", ROOT + ".resilience..",
                        ROOT + ".route..", ROOT + ".routing..", ROOT + ".upstream..")
                .check(classes);
    }

    @Test
    void thePipelineKnowsOnlyRequestsRoutesAndConfigValues() {
        noClasses().that().resideInAPackage(ROOT + ".pipeline")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".proxy..", ROOT + ".frontdoor..",
                        ROOT + ".client..", ROOT + ".config..", ROOT + ".routing..", ROOT + ".policy..",
                        ROOT + ".upstream..", ROOT + ".discovery..")
                .because("filters see an Exchange, not the proxy, the wire or the node's config")
                .check(classes);
    }

    @Test
    void policiesPlugInOnlyThroughThePipeline() {
        noClasses().that().resideInAPackage(ROOT + ".policy..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".proxy..", ROOT + ".frontdoor..",
                        ROOT + ".client..", ROOT + ".config..", ROOT + ".routing..", ROOT + ".discovery..",
                        ROOT + ".admin..", ROOT + ".consul..", ROOT + ".cluster..")
                .because("a policy is its own package, its tests and its docs (docs/ARCHITECTURE.md, Adding a policy)")
                .check(classes);
    }

    @Test
    void theFrontDoorKnowsNoRoutes() {
        noClasses().that().resideInAPackage(ROOT + ".frontdoor")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".proxy..", ROOT + ".route..",
                        ROOT + ".routing..", ROOT + ".pipeline..", ROOT + ".policy..", ROOT + ".config..",
                        ROOT + ".client..", ROOT + ".upstream..")
                .because("the front door parses HTTP/1 and hands requests to a FrontDoorHandler")
                .check(classes);
    }

    @Test
    void routingStateIsReadNotWrittenByTheDataPath() {
        noClasses().that().resideInAnyPackage(ROOT + ".routing", ROOT + ".route", ROOT + ".upstream",
                        ROOT + ".resilience", ROOT + ".client")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".proxy..", ROOT + ".admin..",
                        ROOT + ".discovery..", ROOT + ".cli..")
                .check(classes);
    }

    @Test
    void onlyTheRedisPackagesTalkToRedis() {
        noClasses().that().resideOutsideOfPackages(ROOT + ".redis..", ROOT + ".ratelimit..")
                .should().dependOnClassesThat().resideInAPackage("redis.clients..")
                .check(classes);
    }

    @Test
    void onlyTheTracePackageKnowsOpenTelemetry() {
        noClasses().that().resideOutsideOfPackage(ROOT + ".trace..")
                .should().dependOnClassesThat().resideInAPackage("io.opentelemetry..")
                .because("the data path sees spans through trace.Tracing and RequestTrace only (docs/OBSERVABILITY.md,"
                        + " Traces); pipeline, http and route stay free of them")
                .check(classes);
    }
}
