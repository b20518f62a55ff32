package dev.slipstream.testing.node;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Image repository → {@link LocalImage}. An image matches by its repository without tag or
 * digest, either whole ({@code registry.example/slipstream-runtime}) or by its last path segment
 * ({@code slipstream-runtime}), so the same mapping serves the chart's defaults and a registry's
 * names.
 */
public final class LocalImages {

  private final Map<String, LocalImage> byRepository = new LinkedHashMap<>();

  public LocalImages with(String repository, LocalImage image) {
    byRepository.put(repository, image);
    return this;
  }

  public Optional<LocalImage> resolve(String image) {
    String repository = repository(image);
    LocalImage exact = byRepository.get(repository);
    if (exact != null) {
      return Optional.of(exact);
    }
    return Optional.ofNullable(byRepository.get(repository.substring(repository.lastIndexOf('/') + 1)));
  }

  /** The repositories it knows, for the message of a pod whose image it does not. */
  public String known() {
    return String.join(", ", byRepository.keySet());
  }

  /** {@code host:5000/a/b:1.2@sha256:...} → {@code host:5000/a/b}. */
  static String repository(String image) {
    String name = image;
    int digest = name.indexOf('@');
    if (digest >= 0) {
      name = name.substring(0, digest);
    }
    int colon = name.lastIndexOf(':');
    if (colon > name.lastIndexOf('/')) {
      name = name.substring(0, colon);
    }
    return name;
  }
}
