package io.sluice.server;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module and package boundaries of DESIGN.md, checked over the compiled main classes of every module (the server's
 * test class path holds wire, storage and coordinator). A rule that matches no class fails too, so a renamed package
 * cannot turn a rule into one that always passes.
 *
 * <p>kafka-clients is used in tiers, because its internal packages move between releases (4.3 moved
 * {@code common.record} to {@code common.record.internal}) and each tier should be touched by as few packages as
 * possible:
 * <ol>
 *   <li>its public API ({@code common}, {@code errors}, {@code config}, {@code utils}, the client classes) and
 *       {@link Errors}: anywhere;</li>
 *   <li>the rest of {@code common.protocol} (ApiKeys, ApiMessage, the readers and writers): the wire module, the network
 *       layer, the API handlers and the broker's startup;</li>
 *   <li>the generated schemas ({@code common.message}, {@code common.requests}, {@code common.network}): the wire
 *       module, the network layer, the API handlers, fetch sessions and the inter-broker clients of replication (the
 *       partition package reads only
 *       {@link ListOffsetsRequest}'s timestamp sentinels, which are part of the log's vocabulary);</li>
 *   <li>record batches ({@code common.record.internal}, {@code common.compress}), which are storage's data: wire,
 *       storage, coordinator and the server's partition, replication, group and API packages;</li>
 *   <li>other {@code internals}: {@link Topic} (the naming rules of topics) anywhere and {@link ConsumerProtocol} (the
 *       consumer's subscription and assignment formats) in the coordinator; nothing else.</li>
 * </ol>
 */
class ArchitectureTest {

    private static final String WIRE = "io.sluice.wire..";
    private static final String STORAGE = "io.sluice.storage..";
    private static final String COORDINATOR = "io.sluice.coordinator..";
    private static final String SERVER = "io.sluice.server..";
    private static final String NETTY = "io.netty..";
    private static final String CURATOR = "org.apache.curator..";
    private static final String ZOOKEEPER = "org.apache.zookeeper..";

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.sluice");
    }

    @Test
    void storageKnowsNoOtherModuleNoNettyAndNoZooKeeper() {
        noClasses().that().resideInAPackage(STORAGE)
                .should().dependOnClassesThat().resideInAnyPackage(WIRE, COORDINATOR, SERVER, NETTY, CURATOR, ZOOKEEPER)
                .check(classes);
    }

    @Test
    void coordinatorBuildsOnStorageOnlyWithoutNettyOrZooKeeper() {
        noClasses().that().resideInAPackage(COORDINATOR)
                .should().dependOnClassesThat().resideInAnyPackage(WIRE, SERVER, NETTY, CURATOR, ZOOKEEPER)
                .check(classes);
    }

    @Test
    void wireKnowsNeitherTheLogNorTheBrokerNorZooKeeper() {
        noClasses().that().resideInAPackage(WIRE)
                .should().dependOnClassesThat().resideInAnyPackage(STORAGE, COORDINATOR, SERVER, CURATOR, ZOOKEEPER)
                .check(classes);
    }

    @Test
    void otherModulesSeeStorageThroughItsRootPackageOnly() {
        noClasses().that().resideOutsideOfPackage(STORAGE)
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.sluice.storage.log..", "io.sluice.storage.producer..", "io.sluice.storage.checkpoint..")
                .check(classes);
    }

    @Test
    void zooKeeperMetadataConfigAndPurgatoryNeitherUseNettyNorCallTheApiHandlers() {
        // purgatory may use Netty's timer wheel, nothing else of it
        noClasses().that().resideInAnyPackage("io.sluice.server.zk..", "io.sluice.server.controller..",
                        "io.sluice.server.metadata..", "io.sluice.server.config..", "io.sluice.server.purgatory..")
                .should().dependOnClassesThat(resideInAPackage("io.sluice.server.api..")
                        .or(resideInAPackage(NETTY).and(not(resideInAPackage("io.netty.util..")))))
                .check(classes);
        noClasses().that().resideInAnyPackage("io.sluice.server.zk..", "io.sluice.server.controller..",
                        "io.sluice.server.metadata..", "io.sluice.server.config..")
                .should().dependOnClassesThat().resideInAPackage(NETTY)
                .check(classes);
    }

    @Test
    void onlyTheZooKeeperAndControllerPackagesTalkToZooKeeper() {
        noClasses().that().resideOutsideOfPackages(
                        "io.sluice.server.zk..", "io.sluice.server.controller..")
                .should().dependOnClassesThat().resideInAnyPackage(CURATOR, ZOOKEEPER)
                .check(classes);
    }

    @Test
    void protocolClassesOtherThanErrorsStayAtTheWireEdge() {
        noClasses().that().resideOutsideOfPackages(WIRE, "io.sluice.server", "io.sluice.server.network..",
                        "io.sluice.server.api..")
                .should().dependOnClassesThat(resideInAPackage("org.apache.kafka.common.protocol..")
                        .and(not(belongToAnyOf(Errors.class))))
                .check(classes);
    }

    @Test
    void requestAndMessageSchemasStayInWireNetworkApiAndFetch() {
        noClasses().that().resideOutsideOfPackages(WIRE, "io.sluice.server.network..", "io.sluice.server.api..",
                        "io.sluice.server.fetch..", "io.sluice.server.replication..")
                .should().dependOnClassesThat(resideInAnyPackage("org.apache.kafka.common.message..",
                                "org.apache.kafka.common.requests..", "org.apache.kafka.common.network..")
                        .and(not(belongToAnyOf(ListOffsetsRequest.class))))
                .check(classes);
        noClasses().that().resideOutsideOfPackages(WIRE, "io.sluice.server.network..", "io.sluice.server.api..",
                        "io.sluice.server.fetch..", "io.sluice.server.partition..", "io.sluice.server.replication..")
                .should().dependOnClassesThat(belongToAnyOf(ListOffsetsRequest.class))
                .check(classes);
    }

    @Test
    void recordBatchInternalsStayWithTheLogAndItsUsers() {
        noClasses().that().resideOutsideOfPackages(WIRE, STORAGE, COORDINATOR, "io.sluice.server.api..",
                        "io.sluice.server.partition..", "io.sluice.server.replication..", "io.sluice.server.group..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "org.apache.kafka.common.record.internal..", "org.apache.kafka.common.compress..")
                .check(classes);
    }

    @Test
    void noOtherClientInternalsThanTopicNamesAndTheConsumerProtocol() {
        noClasses().should().dependOnClassesThat(resideInAPackage("org.apache.kafka..internals..")
                        .and(not(belongToAnyOf(Topic.class, ConsumerProtocol.class))))
                .check(classes);
        noClasses().that().resideOutsideOfPackage(COORDINATOR)
                .should().dependOnClassesThat(belongToAnyOf(ConsumerProtocol.class))
                .check(classes);
    }

    @Test
    void apacheKafkasServerJarsAreNeverPartOfSluice() {
        noClasses().should().dependOnClassesThat().resideInAnyPackage("kafka..", "org.apache.kafka.storage..",
                        "org.apache.kafka.server.log..", "org.apache.kafka.raft..", "org.apache.kafka.metadata..",
                        "org.apache.kafka.coordinator..", "org.apache.kafka.tools..")
                .check(classes);
    }

    @Test
    void modulesDependOnEachOtherWithoutCycles() {
        slices().matching("io.sluice.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void serverPackagesDependOnEachOtherWithoutCycles() {
        slices().matching("io.sluice.server.(*)..").should().beFreeOfCycles().check(classes);
    }
}
