package arca.deploy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The shape of the code, checked on the compiled classes of every module (ArchUnit): no package depends on itself
 * through others, and the gateway's layers hold. A failure names the classes of the new cycle or of the dependency
 * that breaks a layer.
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("arca");
  }

  @Test
  void noPackageCycles() {
    slices().matching("arca.(**)").should().beFreeOfCycles().check(classes);
  }

  @Test
  void theAccessTypesDependOnNothingElseOfTheGateway() {
    noClasses().that().resideInAPackage("arca.rest.access..")
        .should().dependOnClassesThat().resideOutsideOfPackages("arca.rest.access..", "java..")
        .check(classes);
  }

  @Test
  void thePolicyGateKnowsNoRoutes() {
    noClasses().that().resideInAPackage("arca.rest.gate..")
        .should().dependOnClassesThat().resideInAnyPackage("arca.rest.module..", "arca.rest.auth..", "arca.rest.policy..",
            "arca.rest.acl..", "arca.rest.files..", "arca.rest.proxy..")
        .check(classes);
  }

  @Test
  void servicesReachOtherServicesOnlyThroughTheirGeneratedClients() {
    noClasses().that().resideInAPackage("arca.rest..")
        .should().dependOnClassesThat().resideInAnyPackage("arca.user..", "arca.role..", "arca.token..", "arca.workspace..",
            "arca.tree..", "arca.objects..", "arca.acl..", "arca.policy..", "arca.lock..", "arca.service..",
            "arca.deploy..", "arca.persistence..")
        .check(classes);
  }

  @Test
  void theServicesRestFacesDoNotReachIntoTheFilesFaces() {
    noClasses().that().resideInAnyPackage("arca.rest.user..", "arca.rest.role..", "arca.rest.token..",
            "arca.rest.policy..", "arca.rest.acl..", "arca.rest.workspace..")
        .should().dependOnClassesThat().resideInAnyPackage("arca.rest.files.nodes..", "arca.rest.files.io..",
            "arca.rest.files.dav..", "arca.rest.files.locks..")
        .check(classes);
  }
}
