package dev.slipstream.operator.model;

import dev.slipstream.api.v1alpha1.CredentialsSecretRef;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;

/**
 * SHA-256 over the values of chosen Secret keys. The runtime reads its password through
 * {@code secretKeyRef}, which Kubernetes resolves only when a container starts; the pod template
 * carries this hash (never the values) so that rotating the Secret rolls the pods.
 */
public final class SecretChecksum {

  private SecretChecksum() {
  }

  /** Checksum of the database user name and password the tenant's credentials Secret holds. */
  public static String ofCredentials(Secret secret, CredentialsSecretRef ref) {
    return of(secret,
        ref.getUsernameKey() == null ? DatabaseConnection.DEFAULT_USERNAME_KEY : ref.getUsernameKey(),
        ref.getPasswordKey() == null ? DatabaseConnection.DEFAULT_PASSWORD_KEY : ref.getPasswordKey());
  }

  /**
   * Checksum of the values under {@code keys}, in the given order. A missing key hashes differently
   * from an empty value, so adding a key that was missing changes the checksum too.
   */
  public static String of(Secret secret, String... keys) {
    Objects.requireNonNull(secret, "secret");
    Digest digest = Digest.sha256();
    for (String key : keys) {
      digest.add(key).add(value(secret, key));
    }
    return digest.hex();
  }

  /**
   * The bytes under {@code key}. A Secret read from the API server has only base64 {@code data};
   * one built in code may carry {@code stringData}, which the API server would let win.
   */
  private static byte[] value(Secret secret, String key) {
    Map<String, String> stringData = secret.getStringData();
    if (stringData != null && stringData.containsKey(key)) {
      String plain = stringData.get(key);
      return plain == null ? new byte[0] : plain.getBytes(StandardCharsets.UTF_8);
    }
    Map<String, String> data = secret.getData();
    if (data != null && data.containsKey(key)) {
      String encoded = data.get(key);
      return encoded == null ? new byte[0] : Base64.getMimeDecoder().decode(encoded);
    }
    return null;
  }
}
