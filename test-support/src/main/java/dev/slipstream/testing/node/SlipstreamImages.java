package dev.slipstream.testing.node;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Slipstream's two images as this machine runs them: the distribution's start script when the build
 * made one ({@code operator/target/slipstream-operator/bin/slipstream-operator},
 * {@code realtime-runtime/target/slipstream-runtime/bin/slipstream-runtime}, run from the
 * distribution's directory as the image does), otherwise the program's main class on this JVM's
 * class path.
 *
 * <p>The runtime listens on {@code SLIPSTREAM_HOST} (both its client port and its relay). The
 * operator's management server listens on every address; its port 8080 moves through
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
        .with(OPERATOR, LocalImage.onAllAddresses(Map.of(OPERATOR_MANAGEMENT_PORT, "SLIPSTREAM_MANAGEMENT_PORT"),
            distribution(root, "operator", OPERATOR), command(root, "operator", OPERATOR, OPERATOR_MAIN)))
        .with(RUNTIME, LocalImage.listeningOn("SLIPSTREAM_HOST",
            distribution(root, "realtime-runtime", RUNTIME), command(root, "realtime-runtime", RUNTIME, RUNTIME_MAIN)));
  }

  /** What runs each image: a start script or {@code java -cp}. */
  public static String describe(Path root) {
    return OPERATOR + " → " + String.join(" ", abbreviated(command(root, "operator", OPERATOR, OPERATOR_MAIN))) + "; "
        + RUNTIME + " → " + String.join(" ", abbreviated(command(root, "realtime-runtime", RUNTIME, RUNTIME_MAIN)));
  }

  private static List<String> abbreviated(List<String> command) {
    return command.stream().map(part -> part.length() > 120 ? "<class path>" : part).toList();
  }

  private static Path distribution(Path root, String module, String name) {
    Path dir = root.resolve(module).resolve("target").resolve(name);
    return Files.isExecutable(dir.resolve("bin").resolve(name)) ? dir : null;
  }

  private static List<String> command(Path root, String module, String name, String mainClass) {
    Path dir = distribution(root, module, name);
    if (dir != null) {
      return List.of(dir.resolve("bin").resolve(name).toString());
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return List.of(java, "-cp", classPath(mainClass), mainClass);
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
