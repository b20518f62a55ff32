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
 */
public record LocalImage(List<String> entrypoint, Path workingDirectory, String listenAddressVariable,
    Map<Integer, String> portVariables) {

  public LocalImage {
    entrypoint = List.copyOf(entrypoint);
    if (entrypoint.isEmpty()) {
      throw new IllegalArgumentException("a local image needs a command");
    }
    portVariables = Map.copyOf(Objects.requireNonNullElse(portVariables, Map.of()));
  }

  /** A program that listens on the address in {@code listenAddressVariable}. */
  public static LocalImage listeningOn(String listenAddressVariable, Path workingDirectory, List<String> entrypoint) {
    return new LocalImage(entrypoint, workingDirectory, listenAddressVariable, Map.of());
  }

  /** A program that listens on all addresses, on the ports the given variables set. */
  public static LocalImage onAllAddresses(Map<Integer, String> portVariables, Path workingDirectory,
      List<String> entrypoint) {
    return new LocalImage(entrypoint, workingDirectory, null, portVariables);
  }
}
