package dev.slipstream.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the repository that tests read: the committed CRDs, the examples, the chart. */
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
}
