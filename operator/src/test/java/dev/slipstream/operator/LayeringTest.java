package dev.slipstream.operator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The operator's package map as executable rules (docs/architecture-operator.md): arrows point one
 * way, the model does no I/O, the PostgreSQL side knows no reconciler. Main classes only.
 */
@AnalyzeClasses(packages = "dev.slipstream.operator", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

  /** Every package is a slice: tenant, tenant.dependent, tenant.conditions, publication, reconcile, ... */
  @ArchTest
  static final ArchRule noPackageCycles = slices().matching("dev.slipstream.operator.(**)")
      .should().beFreeOfCycles();

  @ArchTest
  static final ArchRule modelDoesNoIo = noClasses().that().resideInAPackage("dev.slipstream.operator.model..")
      .should().dependOnClassesThat().resideInAnyPackage(
          "io.fabric8.kubernetes.client..", "java.sql..", "org.postgresql..", "io.javaoperatorsdk..")
      .because("the model is desired state as pure functions: Fabric8 objects built, never sent");

  @ArchTest
  static final ArchRule postgresKnowsNoReconciler = noClasses().that().resideInAPackage("dev.slipstream.operator.postgres..")
      .should().dependOnClassesThat().resideInAnyPackage(
          "dev.slipstream.operator.tenant..", "dev.slipstream.operator.publication..", "dev.slipstream.operator.reconcile..",
          "io.javaoperatorsdk..", "io.fabric8.kubernetes.client..")
      .because("the PostgreSQL side is SQL builders and the JDBC service that runs them, free of Kubernetes");

  @ArchTest
  static final ArchRule publicationKnowsNoTenantReconciler = noClasses()
      .that().resideInAPackage("dev.slipstream.operator.publication..")
      .should().dependOnClassesThat().resideInAPackage("dev.slipstream.operator.tenant..")
      .because("what the two reconcilers share lives in reconcile");

  @ArchTest
  static final ArchRule runtimeLoopKnowsNoOtherReconciler = noClasses()
      .that().resideInAPackage("dev.slipstream.operator.runtime..")
      .should().dependOnClassesThat().resideInAnyPackage("dev.slipstream.operator.tenant..",
          "dev.slipstream.operator.publication..", "dev.slipstream.operator.postgres..")
      .because("the runtime's status loop reads the tenant and its pods, never the database: the tenant's "
          + "controller runs it, and it shares nothing with the workflow but reconcile and model");

  @ArchTest
  static final ArchRule publicationKnowsNoRuntimeLoop = noClasses()
      .that().resideInAPackage("dev.slipstream.operator.publication..")
      .should().dependOnClassesThat().resideInAPackage("dev.slipstream.operator.runtime..")
      .because("the runtime's status loop is a part of the tenant's round, not the publication's");

  @ArchTest
  static final ArchRule tenantKnowsNoPublicationReconciler = noClasses()
      .that().resideInAPackage("dev.slipstream.operator.tenant..")
      .should().dependOnClassesThat().resideInAPackage("dev.slipstream.operator.publication..")
      .because("what the two reconcilers share lives in reconcile");
}
