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
    return of(configData, credentialsChecksum, jwtSecretChecksum, null, null);
  }

  /**
   * With the previous JWT secret's and the relay key's checksums, each counted only when set (so
   * adding the previous JWT secret changed no other tenant's). The relay key is in it so that a key
   * made again (its Secret was deleted) moves every pod onto it in one roll; without it, the pods
   * would keep the old key and only a restarted or added pod would take the new one, and then not
   * follow the leader, at some later, unrelated moment.
   */
  static String of(Map<String, String> configData, String credentialsChecksum, String jwtSecretChecksum,
      String previousJwtSecretChecksum, String relayKeyChecksum) {
    Digest digest = Digest.sha256();
    // Sorted, so the order a map happens to iterate in never rolls pods.
    new TreeMap<>(configData).forEach((key, value) -> digest.add(key).add(value));
    digest.add("credentials").add(credentialsChecksum).add("jwt").add(jwtSecretChecksum);
    if (previousJwtSecretChecksum != null) {
      digest.add("previousJwt").add(previousJwtSecretChecksum);
    }
    if (relayKeyChecksum != null) {
      digest.add("relayKey").add(relayKeyChecksum);
    }
    return digest.hex();
  }
}
