package dev.slipstream.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Paths of the repository that tests read: the committed CRDs, the examples, the chart, and the
 * runnable distributions that {@code ./mvnw package} builds.
 */
public final class RepositoryLayout {

  private RepositoryLayout() {
  }

  /**
   * The repository root: the {@code slipstream.repo.root} system property that Surefire and
   * Failsafe set, or the nearest parent directory holding {@code mvnw}.
   */
  public static Path root() {
    String configured = System.getProperty("slipstream.repo.root");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.exists(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("charts"))) {
        return dir;
      }
    }
    throw new IllegalStateException("Cannot find the repository root from " + Path.of("").toAbsolutePath());
  }

  public static Path crds() {
    return root().resolve("charts/slipstream/crds");
  }

  public static Path examples() {
    return root().resolve("examples");
  }

  /** The operator's distribution, {@code operator/target/slipstream-operator} (see {@link #distribution}). */
  public static Distribution operatorDistribution() {
    return distribution("operator", "slipstream-operator");
  }

  /** The runtime's distribution, {@code realtime-runtime/target/slipstream-runtime} (see {@link #distribution}). */
  public static Distribution runtimeDistribution() {
    return distribution("realtime-runtime", "slipstream-runtime");
  }

  /**
   * A module's runnable distribution: {@code <module>/target/<name>/bin/<name>} and {@code lib/}, as
   * the container image holds it under {@code /opt/<name>}. Fails, saying how to build it, when the
   * start script is not there: Maven builds it at {@code package}, so an integration test run by
   * {@code ./mvnw verify} always has it, but one started from an IDE may not.
   */
  public static Distribution distribution(String module, String name) {
    Path home = root().resolve(module).resolve("target").resolve(name);
    Distribution distribution = new Distribution(name, home);
    if (!Files.isExecutable(distribution.startScript())) {
      throw new IllegalStateException("No runnable distribution at " + home + " (missing or not executable: bin/"
          + name + "); build it with: ./mvnw -pl " + module + " -am package -DskipTests");
    }
    return distribution;
  }
}
