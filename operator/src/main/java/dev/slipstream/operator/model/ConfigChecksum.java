package dev.slipstream.operator.model;

import java.util.Map;
import java.util.TreeMap;

/**
 * The value of the pod template annotation {@value RuntimeModel#CONFIG_CHECKSUM_ANNOTATION}: SHA-256
 * over the runtime ConfigMap's data and the Secret checksums. The runtime reads both as environment
 * variables, which Kubernetes fixes when a container starts; a changed annotation is what makes the
 * Deployment roll its pods when either changes.
 */
final class ConfigChecksum {

  private ConfigChecksum() {
  }

  static String of(Map<String, String> configData, String credentialsChecksum, String jwtSecretChecksum) {
    return of(configData, credentialsChecksum, jwtSecretChecksum, null);
  }

  /** With the previous JWT secret's checksum, which counts only when set (so adding it changed no other tenant's). */
  static String of(Map<String, String> configData, String credentialsChecksum, String jwtSecretChecksum,
      String previousJwtSecretChecksum) {
    Digest digest = Digest.sha256();
    // Sorted, so the order a map happens to iterate in never rolls pods.
    new TreeMap<>(configData).forEach((key, value) -> digest.add(key).add(value));
    digest.add("credentials").add(credentialsChecksum).add("jwt").add(jwtSecretChecksum);
    if (previousJwtSecretChecksum != null) {
      digest.add("previousJwt").add(previousJwtSecretChecksum);
    }
    return digest.hex();
  }
}
