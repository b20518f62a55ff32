package dev.slipstream.api.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed CRD YAML (what {@code kubectl apply -f charts/slipstream/crds/} and the Helm chart
 * install) must be exactly what the API classes generate.
 */
class CrdDriftTest {

  static final String UPDATE_COMMAND = "./mvnw -pl crds test -Dtest=CrdDriftTest -Dcrds.update=true";

  @Test
  void committedCrdsMatchTheApiClasses() throws IOException {
    Path generated = Path.of(System.getProperty("crds.generated.dir", "target/generated-crds"));
    Path committed = Path.of(System.getProperty("crds.committed.dir", "../charts/slipstream/crds"));
    Files.createDirectories(generated);
    CrdYamlGenerator.generateInto(generated);

    if (Boolean.getBoolean("crds.update")) {
      Files.createDirectories(committed);
      for (Path file : yamlFiles(generated)) {
        Files.copy(file, committed.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }

    List<Path> generatedFiles = yamlFiles(generated);
    assertThat(generatedFiles).hasSize(CrdYamlGenerator.RESOURCES.size());
    assertThat(fileNames(yamlFiles(committed)))
        .as("CRD files in %s; regenerate them with: %s", committed, UPDATE_COMMAND)
        .containsExactlyInAnyOrderElementsOf(fileNames(generatedFiles));
    for (Path file : generatedFiles) {
      assertThat(Files.readString(committed.resolve(file.getFileName())))
          .as("%s is out of date with the API classes; regenerate it with: %s", committed.resolve(file.getFileName()),
              UPDATE_COMMAND)
          .isEqualTo(Files.readString(file));
    }
  }

  private static List<Path> yamlFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".yml")).sorted().toList();
    }
  }

  private static List<String> fileNames(List<Path> files) {
    return files.stream().map(f -> f.getFileName().toString()).toList();
  }
}
