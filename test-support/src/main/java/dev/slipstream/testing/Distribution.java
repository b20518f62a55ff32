package dev.slipstream.testing;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A runnable distribution that {@code ./mvnw package} builds ({@code distribution/assembly.xml}):
 * {@code bin/<name>}, the start script, and {@code lib/}, the jars. The container image holds this
 * directory as {@code /opt/<name>} and starts the script (docs/images.md); {@link #processBuilder}
 * starts it the same way, so that a test runs what the image runs. Found by
 * {@link RepositoryLayout#operatorDistribution()} and {@link RepositoryLayout#runtimeDistribution()}.
 *
 * @param name the program's name, also its start script's
 * @param home the directory holding {@code bin/} and {@code lib/}
 */
public record Distribution(String name, Path home) {

  /** The system directories only: the script needs a POSIX shell and a few of its tools, nothing else. */
  public static final String PATH = "/usr/bin:/bin";

  public Path startScript() {
    return home.resolve("bin").resolve(name);
  }

  public Path lib() {
    return home.resolve("lib");
  }

  /**
   * The start script with {@code args}, as the image's entrypoint: run from the distribution's
   * directory (the image's working directory), with an environment of nothing but {@code JAVA_HOME}
   * (the test JVM's, where the image's base sets its own), {@link #PATH}, {@code HOME} (the image's is
   * {@code /tmp}) and {@code env}. Output and input are the caller's to redirect.
   */
  public ProcessBuilder processBuilder(Map<String, String> env, Path userHome, String... args) {
    ProcessBuilder builder = new ProcessBuilder(Stream.concat(Stream.of(startScript().toString()), Stream.of(args))
        .toList()).directory(home.toFile());
    Map<String, String> environment = builder.environment();
    environment.clear();
    environment.put("JAVA_HOME", System.getProperty("java.home"));
    environment.put("PATH", PATH);
    environment.put("HOME", userHome.toAbsolutePath().toString());
    environment.putAll(env);
    return builder;
  }
}
