package dev.slipstream.runtime;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The runtime's layering as executable rules (docs/architecture.md draws it): arrows point one
 * way. A broken rule fails the build naming the class and the import that broke it.
 */
@AnalyzeClasses(packages = "dev.slipstream.runtime", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  /** No two packages depend on each other, however indirectly. */
  @ArchTest
  static final ArchRule packagesAreFreeOfCycles = slices().matching("dev.slipstream.runtime.(*)..")
      .should().beFreeOfCycles();

  /** The stream's lower layers are plain Java: decoding, changes and routing know nothing of sockets. */
  @ArchTest
  static final ArchRule lowerLayersUseNoNetty = noClasses()
      .that().resideInAnyPackage("..runtime.pgoutput..", "..runtime.change..", "..runtime.route..",
          "..runtime.resume..", "..runtime.limits..", "..runtime.auth..")
      .should().dependOnClassesThat().resideInAPackage("io.netty..");

  /** The transport carries bytes: it knows no protocol, payload, subscription or token. */
  @ArchTest
  static final ArchRule transportKnowsNoProtocol = noClasses()
      .that().resideInAPackage("..runtime.transport..")
      .should().dependOnClassesThat().resideInAnyPackage("..runtime.phoenix..", "..runtime.sse..",
          "..runtime.admission..", "..runtime.payload..", "..runtime.fanout..", "..runtime.route..",
          "..runtime.resume..", "..runtime.auth..", "..runtime.replication..", "..runtime.change..");

  /** The fan-out routes and hands over bytes: the shape of a protocol's payload is not its business. */
  @ArchTest
  static final ArchRule fanOutKnowsNoPayloadOrProtocol = noClasses()
      .that().resideInAPackage("..runtime.fanout..")
      .should().dependOnClassesThat().resideInAnyPackage("..runtime.payload..", "..runtime.phoenix..",
          "..runtime.sse..", "..runtime.transport..");

  /** The protocols stand side by side: neither uses the other. */
  @ArchTest
  static final ArchRule protocolsAreIndependent = noClasses()
      .that().resideInAPackage("..runtime.sse..")
      .should().dependOnClassesThat().resideInAPackage("..runtime.phoenix..");

  @ArchTest
  static final ArchRule phoenixDoesNotUseSse = noClasses()
      .that().resideInAPackage("..runtime.phoenix..")
      .should().dependOnClassesThat().resideInAPackage("..runtime.sse..");

  /** Only the wiring at the top knows every package: nothing depends on it. */
  @ArchTest
  static final ArchRule nothingDependsOnTheWiring = noClasses()
      .that().resideOutsideOfPackage("dev.slipstream.runtime")
      .and().resideInAPackage("dev.slipstream.runtime..")
      .should().dependOnClassesThat().resideInAPackage("dev.slipstream.runtime");

  /** The relay carries changes between pods: it knows no client, protocol or subscription. */
  @ArchTest
  static final ArchRule relayKnowsNoClients = noClasses()
      .that().resideInAPackage("..runtime.relay..")
      .should().dependOnClassesThat().resideInAnyPackage("..runtime.phoenix..", "..runtime.sse..",
          "..runtime.admission..", "..runtime.payload..", "..runtime.fanout..", "..runtime.transport..",
          "..runtime.route..", "..runtime.cluster..", "..runtime.status..");

  /** The status entry reports figures it is given: it runs nothing of the stream or the Lease. */
  @ArchTest
  static final ArchRule statusRunsNothing = noClasses()
      .that().resideInAPackage("..runtime.status..")
      .should().dependOnClassesThat().resideInAnyPackage("..runtime.relay..", "..runtime.replication..",
          "..runtime.fanout..", "..runtime.transport..", "..runtime.phoenix..", "..runtime.sse..");
}
