package dev.slipstream.testing.node;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How this machine runs a container image without a container engine: a local command in place of
 * the image's entrypoint, and what a pod's own network namespace would have made unnecessary.
 *
 * <p>All pods share the host's network here. Each gets its own local address as its pod IP, so
 * that two pods can both listen on their containers' ports; a program learns which address to
 * listen on from {@code listenAddressVariable}. A program that can only listen on every address
 * cannot share a port with another pod: {@code portVariables} names, per container port, the
 * variable that moves it, and the agent gives it a free port there (and probes that port).
 *
 * @param entrypoint the command the image's ENTRYPOINT would run; the container's {@code args} follow
 *     it, and a container {@code command} replaces it (run as given, on this machine)
 * @param workingDirectory where the command runs (the image's WORKDIR); null: the pod's own directory
 * @param listenAddressVariable the variable set to the pod IP, or null when the program listens on all addresses
 * @param portVariables container port → the variable that sets the port the program listens on
 * @param environment the image's own variables (its ENV), under the container's; empty: a few of this
 *     machine's ({@code PATH}, {@code HOME}, {@code JAVA_HOME}, ...), so that a local command finds its tools
 * @param jvmOptionsVariable where a JVM option goes: {@code JDK_JAVA_OPTIONS} (read by every {@code java}
 *     launcher, which then prints a NOTE), or the variable the image's start script reads
 */
public record LocalImage(List<String> entrypoint, Path workingDirectory, String listenAddressVariable,
    Map<Integer, String> portVariables, Map<String, String> environment, String jvmOptionsVariable) {

  public LocalImage {
    entrypoint = List.copyOf(entrypoint);
    if (entrypoint.isEmpty()) {
      throw new IllegalArgumentException("a local image needs a command");
    }
    portVariables = Map.copyOf(Objects.requireNonNullElse(portVariables, Map.of()));
    environment = Map.copyOf(Objects.requireNonNullElse(environment, Map.of()));
    jvmOptionsVariable = Objects.requireNonNullElse(jvmOptionsVariable, "JDK_JAVA_OPTIONS");
  }

  /** A local command, run with a few of this machine's variables. */
  public static LocalImage command(List<String> entrypoint) {
    return new LocalImage(entrypoint, null, null, Map.of(), Map.of(), null);
  }

  /** The same image, telling the program its pod IP in {@code variable}. */
  public LocalImage listeningOn(String variable) {
    return new LocalImage(entrypoint, workingDirectory, variable, portVariables, environment, jvmOptionsVariable);
  }

  /** The same image, for a program that listens on all addresses, on the ports the given variables set. */
  public LocalImage withPortVariables(Map<Integer, String> variables) {
    return new LocalImage(entrypoint, workingDirectory, listenAddressVariable, variables, environment,
        jvmOptionsVariable);
  }

  /** The same image, run from {@code directory} (its WORKDIR) with {@code variables} as its ENV. */
  public LocalImage in(Path directory, Map<String, String> variables) {
    return new LocalImage(entrypoint, directory, listenAddressVariable, portVariables, variables, jvmOptionsVariable);
  }

  /** The same image, whose start script takes JVM options from {@code variable} (such as {@code JAVA_OPTS}). */
  public LocalImage withJvmOptionsIn(String variable) {
    return new LocalImage(entrypoint, workingDirectory, listenAddressVariable, portVariables, environment, variable);
  }
}
