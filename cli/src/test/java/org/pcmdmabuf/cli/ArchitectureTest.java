package org.pcmdmabuf.cli;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The modules' layering, checked on the byte code of every class the CLI is built from: each layer uses only
 * those below it (model, op scripts, simulator, conformance, cli), and the model, the executable
 * specification, uses nothing but the JDK. The Maven enforcer checks the same at the dependency level.
 */
class ArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.pcmdmabuf");

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        layering().check(CLASSES);
    }

    /** The rules are not vacuous: a simulator class that reaches up into the CLI breaks them. */
    @Test
    void aClassReachingUpBreaksTheLayering() {
        JavaClasses upward = new ClassFileImporter().importClasses(org.pcmdmabuf.sim.fixture.ReachesUp.class,
                Pcmsim.class);
        AssertionError e = assertThrows(AssertionError.class, () -> layering().check(upward));
        assertTrue(e.getMessage().contains("ReachesUp"), e.getMessage());
        assertThrows(AssertionError.class, () -> modelUsesOnlyTheJdk()
                .check(new ClassFileImporter().importClasses(org.pcmdmabuf.model.fixture.UsesALibrary.class)));
    }

    private static com.tngtech.archunit.lang.ArchRule layering() {
        return layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("model").definedBy("org.pcmdmabuf.model..")
                .layer("opscript").definedBy("org.pcmdmabuf.script..")
                .layer("simulator").definedBy("org.pcmdmabuf.sim..")
                .layer("conformance").definedBy("org.pcmdmabuf.conformance..")
                .layer("cli").definedBy("org.pcmdmabuf.cli..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("conformance").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("simulator").mayOnlyBeAccessedByLayers("conformance", "cli")
                .whereLayer("opscript").mayOnlyBeAccessedByLayers("simulator", "conformance", "cli");
    }

    @Test
    void theModelUsesOnlyTheJdk() {
        modelUsesOnlyTheJdk().check(CLASSES);
    }

    private static com.tngtech.archunit.lang.ArchRule modelUsesOnlyTheJdk() {
        return noClasses().that().resideInAPackage("org.pcmdmabuf.model..")
                .should().dependOnClassesThat().resideOutsideOfPackages("org.pcmdmabuf.model..", "java..");
    }

    @Test
    void everyClassBelongsToALayer() {
        noClasses().should().resideOutsideOfPackages("org.pcmdmabuf.model..", "org.pcmdmabuf.script..",
                "org.pcmdmabuf.sim..", "org.pcmdmabuf.conformance..", "org.pcmdmabuf.cli..")
                .check(CLASSES);
    }

    @Test
    void onlyTheCliUsesPicocli() {
        noClasses().that().resideOutsideOfPackage("org.pcmdmabuf.cli..")
                .should().dependOnClassesThat().resideInAPackage("picocli..")
                .check(CLASSES);
    }
}
