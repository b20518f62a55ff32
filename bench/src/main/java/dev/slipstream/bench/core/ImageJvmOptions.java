package dev.slipstream.bench.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM options the runtime's container image starts it with: {@code dist.jvm.options} of
 * {@code realtime-runtime/pom.xml}, which the build writes into the image's start script
 * ({@code distribution/launcher.sh}). The benchmark starts the runtime and its baselines with these
 * and {@code -XX:MaxRAM=<container memory>}, so the JVM sizes its heap and picks its collector as
 * it would in a container with that memory limit, on any machine.
 */
public final class ImageJvmOptions {

  private static final Pattern OPTIONS = Pattern.compile("<dist\\.jvm\\.options>([^<]*)</dist\\.jvm\\.options>");

  private ImageJvmOptions() {
  }

  /** The image's options, then {@code -XX:MaxRAM=containerMemory} (e.g. {@code 2g}). */
  public static List<String> of(Path root, String containerMemory) {
    Path pom = root.resolve("realtime-runtime/pom.xml");
    try {
      Matcher m = OPTIONS.matcher(Files.readString(pom));
      if (!m.find()) {
        throw new IllegalStateException(pom + " has no <dist.jvm.options>: the image's JVM options are unknown");
      }
      List<String> options = new ArrayList<>(Arrays.stream(m.group(1).trim().split("\\s+"))
          // ChildJvm adds it to every child already.
          .filter(o -> !o.isEmpty() && !o.equals("--enable-native-access=ALL-UNNAMED")).toList());
      options.add("-XX:MaxRAM=" + containerMemory);
      return options;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the image's JVM options from " + pom, e);
    }
  }
}
