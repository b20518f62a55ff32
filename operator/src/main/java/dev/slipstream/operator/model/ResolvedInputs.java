package dev.slipstream.operator.model;

import dev.slipstream.api.v1alpha1.SecretKeyRef;
import java.util.List;
import java.util.Objects;

/**
 * What the reconciler resolved for a tenant before its desired state can be computed: facts that
 * live outside the {@code RealtimeTenant} (other resources, operator configuration, Secret contents).
 *
 * @param slotName the slot the runtime streams from: {@code spec.replication.slotName} or
 *     {@link SlotNames#derive}; see {@link SlotNames#forTenant}
 * @param publicationNames the PostgreSQL publications of the tenant's {@code RealtimePublication}s; kept
 *     sorted and without duplicates here, so the order they were listed in never changes the config
 * @param defaultImage the operator's default runtime image, used when {@code spec.runtime.image} is empty
 * @param credentialsChecksum {@link SecretChecksum#ofCredentials} of the credentials Secret
 * @param jwtSecretRef {@code spec.auth.jwtSecretRef} with its key defaulted, or null when the tenant has no auth
 * @param jwtSecretChecksum {@link SecretChecksum#of} over the JWT secret's key, or null without auth;
 *     included in the config checksum so a rotated JWT secret rolls the pods too
 * @param previousJwtSecretRef {@code spec.auth.previousJwtSecretRef} with its key defaulted, or null
 * @param previousJwtSecretChecksum {@link SecretChecksum#of} over the previous JWT secret's key, or null
 * @param accessRules the claim-based access rules of the tenant's publications, each
 *     {@code table:column=claim}; sorted and without duplicates, like the publication names
 * @param relayKeyChecksum {@link RelayKeySecret#checksum} of the tenant's relay key Secret; in the config
 *     checksum, so a key made again (the Secret was deleted) rolls the pods onto it together
 */
public record ResolvedInputs(
    String slotName,
    List<String> publicationNames,
    String defaultImage,
    String credentialsChecksum,
    SecretKeyRef jwtSecretRef,
    String jwtSecretChecksum,
    SecretKeyRef previousJwtSecretRef,
    String previousJwtSecretChecksum,
    List<String> accessRules,
    String relayKeyChecksum) {

  public ResolvedInputs {
    publicationNames = publicationNames == null ? List.of()
        : publicationNames.stream().filter(Objects::nonNull).distinct().sorted().toList();
    accessRules = accessRules == null ? List.of()
        : accessRules.stream().filter(Objects::nonNull).distinct().sorted().toList();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Named setters for the inputs, which are easy to swap by position. */
  public static final class Builder {

    private String slotName;
    private List<String> publicationNames = List.of();
    private String defaultImage;
    private String credentialsChecksum;
    private SecretKeyRef jwtSecretRef;
    private String jwtSecretChecksum;
    private SecretKeyRef previousJwtSecretRef;
    private String previousJwtSecretChecksum;
    private List<String> accessRules = List.of();
    private String relayKeyChecksum;

    private Builder() {
    }

    public Builder slotName(String slotName) {
      this.slotName = slotName;
      return this;
    }

    public Builder publicationNames(List<String> publicationNames) {
      this.publicationNames = publicationNames;
      return this;
    }

    public Builder defaultImage(String defaultImage) {
      this.defaultImage = defaultImage;
      return this;
    }

    public Builder credentialsChecksum(String credentialsChecksum) {
      this.credentialsChecksum = credentialsChecksum;
      return this;
    }

    /** The JWT secret the runtime verifies client tokens with, and the checksum of its value. */
    public Builder jwtSecret(SecretKeyRef jwtSecretRef, String jwtSecretChecksum) {
      this.jwtSecretRef = jwtSecretRef;
      this.jwtSecretChecksum = jwtSecretChecksum;
      return this;
    }

    /** The JWT secret before the last rotation, still accepted, and the checksum of its value. */
    public Builder previousJwtSecret(SecretKeyRef previousJwtSecretRef, String previousJwtSecretChecksum) {
      this.previousJwtSecretRef = previousJwtSecretRef;
      this.previousJwtSecretChecksum = previousJwtSecretChecksum;
      return this;
    }

    /** Claim-based access rules, {@code table:column=claim} each. */
    public Builder accessRules(List<String> accessRules) {
      this.accessRules = accessRules;
      return this;
    }

    /** The checksum of the relay key the operator made for the tenant ({@link RelayKeySecret}). */
    public Builder relayKeyChecksum(String relayKeyChecksum) {
      this.relayKeyChecksum = relayKeyChecksum;
      return this;
    }

    public ResolvedInputs build() {
      return new ResolvedInputs(slotName, publicationNames, defaultImage, credentialsChecksum, jwtSecretRef,
          jwtSecretChecksum, previousJwtSecretRef, previousJwtSecretChecksum, accessRules, relayKeyChecksum);
    }
  }
}
