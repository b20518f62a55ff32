package dev.slipstream.testing.node;

import dev.slipstream.testing.Distribution;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Slipstream's two images as this machine runs them. When the build made the distributions
 * ({@link Distribution}: {@code operator/target/slipstream-operator},
 * {@code realtime-runtime/target/slipstream-runtime}; {@code ./mvnw package} does), each runs the
 * way its image does (docs/images.md): the start script, from the distribution's directory (the
 * image's working directory), with the image's environment ({@code JAVA_HOME}, {@code PATH},
 * {@code HOME=/tmp}) under the container's. Otherwise, for a test started from an IDE, the
 * program's main class runs on this JVM's class path.
 *
 * <p>The runtime listens on {@code SLIPSTREAM_HOST} (its client port and its relay). The operator's
 * management server listens on every address, so its port 8080 moves through
 * {@code SLIPSTREAM_MANAGEMENT_PORT}.
 */
public final class SlipstreamImages {

  public static final String OPERATOR = "slipstream-operator";
  public static final String RUNTIME = "slipstream-runtime";
  static final String OPERATOR_MAIN = "dev.slipstream.operator.Main";
  static final String RUNTIME_MAIN = "dev.slipstream.runtime.Main";
  static final int OPERATOR_MANAGEMENT_PORT = 8080;

  private SlipstreamImages() {
  }

  /** Both images, from the repository at {@code root}. */
  public static LocalImages of(Path root) {
    return new LocalImages()
        .with(OPERATOR, image(root, "operator", OPERATOR, OPERATOR_MAIN)
            .withPortVariables(Map.of(OPERATOR_MANAGEMENT_PORT, "SLIPSTREAM_MANAGEMENT_PORT")))
        .with(RUNTIME, image(root, "realtime-runtime", RUNTIME, RUNTIME_MAIN).listeningOn("SLIPSTREAM_HOST"));
  }

  /** What runs each image: a start script or {@code java -cp}. */
  public static String describe(Path root) {
    return OPERATOR + " → " + describe(image(root, "operator", OPERATOR, OPERATOR_MAIN)) + "; "
        + RUNTIME + " → " + describe(image(root, "realtime-runtime", RUNTIME, RUNTIME_MAIN));
  }

  private static String describe(LocalImage image) {
    return String.join(" ", image.entrypoint().stream().map(part -> part.length() > 120 ? "<class path>" : part)
        .toList()) + (image.workingDirectory() == null ? "" : " (in " + image.workingDirectory() + ")");
  }

  private static LocalImage image(Path root, String module, String name, String mainClass) {
    Distribution distribution = new Distribution(name, root.resolve(module).resolve("target").resolve(name));
    if (Files.isExecutable(distribution.startScript())) {
      // The start script puts JAVA_OPTS after its defaults (docs/images.md).
      return LocalImage.command(List.of(distribution.startScript().toString())).in(distribution.home(), Map.of(
          "JAVA_HOME", System.getProperty("java.home"), "PATH", Distribution.PATH, "HOME", "/tmp"))
          .withJvmOptionsIn("JAVA_OPTS");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return LocalImage.command(List.of(java, "-cp", classPath(mainClass), mainClass));
  }

  /**
   * This JVM's class path for a program of it: the entry holding the main class first (so that its
   * module's logback.xml is the one found), and no test-classes (a test's logback-test.xml would win).
   */
  static String classPath(String mainClass) {
    String resource = mainClass.replace('.', '/') + ".class";
    List<String> own = new ArrayList<>();
    List<String> rest = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (entry.endsWith("test-classes") || entry.endsWith("test-classes/")) {
        continue;
      }
      (holds(entry, resource) ? own : rest).add(entry);
    }
    if (own.isEmpty()) {
      throw new IllegalStateException(mainClass + " is not on this JVM's class path, and no distribution was built");
    }
    own.addAll(rest);
    return String.join(File.pathSeparator, own);
  }

  private static boolean holds(String entry, String resource) {
    Path path = Path.of(entry);
    if (Files.isDirectory(path)) {
      return Files.isRegularFile(path.resolve(resource));
    }
    if (!Files.isRegularFile(path)) {
      return false;
    }
    try (var jar = new java.util.jar.JarFile(path.toFile())) {
      return jar.getEntry(resource) != null;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
