package dev.slipstream.operator.model;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * The Secret {@code <tenant>-runtime-relay}: the key the tenant's runtime pods prove to each other on
 * the relay ({@code SLIPSTREAM_RELAY_KEY}). The operator makes it once per tenant, with the tenant as
 * owner (it goes with the tenant), and never rewrites it; a rotation of the database password
 * therefore leaves the relay alone, and pods with the old and the new password follow each other
 * during the roll. Deleted, it is made again with a new key (which rolls the pods: the key is part of
 * the pod template's checksum).
 */
public final class RelayKeySecret {

  /** The Secret's key holding the relay key. */
  public static final String KEY = "relay-key";
  /** Random bytes in a key the operator makes (256 bits); the value is their base64, 44 characters. */
  public static final int KEY_BYTES = 32;
  /** The least a relay key may decode to when someone else made the Secret: 128 bits. */
  static final int MIN_KEY_BYTES = 16;

  private static final SecureRandom RANDOM = new SecureRandom();

  private RelayKeySecret() {
  }

  /** A new Secret with a fresh key for {@code tenant}, owned by it; the caller creates it. */
  public static Secret generate(RealtimeTenant tenant) {
    byte[] random = new byte[KEY_BYTES];
    RANDOM.nextBytes(random);
    Secret secret = build(tenant, Base64.getEncoder().encodeToString(random));
    // As JOSDK owns the other runtime objects: garbage-collected once the tenant is gone.
    secret.addOwnerReference(tenant);
    return secret;
  }

  /**
   * The Secret holding {@code key}, without an owner. The key is printable: it reaches the pods as an
   * environment variable, and raw random bytes could hold a NUL, which no environment carries.
   */
  static Secret build(RealtimeTenant tenant, String key) {
    String name = tenant.getMetadata().getName();
    return new SecretBuilder()
        .withNewMetadata()
          .withName(new RuntimeNames(name).relayKeySecret())
          .withNamespace(tenant.getMetadata().getNamespace())
          .withLabels(RuntimeLabels.of(name))
        .endMetadata()
        .withType("Opaque")
        .withData(Map.of(KEY, Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.US_ASCII))))
        .build();
  }

  /**
   * Why the pods could not use this Secret's key, or empty when they can: the key is missing, or
   * shorter than {@value #MIN_KEY_BYTES} bytes (a Secret someone else made under the name). Never
   * says what the key is.
   */
  public static Optional<String> problem(Secret secret) {
    String encoded = secret.getData() == null ? null : secret.getData().get(KEY);
    if (encoded == null || encoded.isEmpty()) {
      return Optional.of("has no '" + KEY + "' key");
    }
    byte[] value;
    try {
      value = Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      return Optional.of("holds a '" + KEY + "' that is not base64");
    }
    if (value.length < MIN_KEY_BYTES || new String(value, StandardCharsets.UTF_8).isBlank()) {
      return Optional.of("holds a '" + KEY + "' of " + value.length + " bytes; at least " + MIN_KEY_BYTES
          + " are needed");
    }
    return Optional.empty();
  }

  /** The checksum of the key, for the pod template: a new key rolls the pods. */
  public static String checksum(Secret secret) {
    return SecretChecksum.of(secret, KEY);
  }
}
