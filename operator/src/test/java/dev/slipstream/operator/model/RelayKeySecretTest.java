package dev.slipstream.operator.model;

import static dev.slipstream.operator.model.TenantFixtures.acmeExample;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The Secret {@code <tenant>-runtime-relay} the operator makes once per tenant. */
class RelayKeySecretTest {

  @Test
  void aFreshKeyOf32RandomBytesOwnedByTheTenantAndLabelledLikeItsRuntime() {
    RealtimeTenant tenant = acmeExample();
    tenant.getMetadata().setUid("0b5d6f3e-1c2a-4e8b-9d7f-aa11bb22cc33");
    Secret secret = RelayKeySecret.generate(tenant);

    assertThat(secret.getMetadata().getName()).isEqualTo("acme-runtime-relay");
    assertThat(secret.getMetadata().getNamespace()).isEqualTo(tenant.getMetadata().getNamespace());
    assertThat(secret.getMetadata().getLabels()).isEqualTo(RuntimeLabels.of("acme"));
    assertThat(secret.getType()).isEqualTo("Opaque");
    assertThat(secret.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
      assertThat(owner.getKind()).isEqualTo("RealtimeTenant");
      assertThat(owner.getName()).isEqualTo("acme");
      assertThat(owner.getUid()).isEqualTo("0b5d6f3e-1c2a-4e8b-9d7f-aa11bb22cc33");
    });
    assertThat(secret.getData()).containsOnlyKeys("relay-key");
    String key = new String(Base64.getDecoder().decode(secret.getData().get("relay-key")), StandardCharsets.US_ASCII);
    assertThat(key).hasSize(44);
    assertThat(Base64.getDecoder().decode(key)).hasSize(RelayKeySecret.KEY_BYTES);
    assertThat(RelayKeySecret.problem(secret)).isEmpty();
    assertThat(RelayKeySecret.generate(tenant).getData()).as("a new key each time")
        .isNotEqualTo(secret.getData());
  }

  @Test
  void aSecretOfThatNameWithoutAUsableKeyIsNamedWithoutItsValue() {
    assertThat(RelayKeySecret.problem(secret(null))).contains("has no 'relay-key' key");
    assertThat(RelayKeySecret.problem(secret("c2hvcnQ="))).contains("holds a 'relay-key' of 5 bytes; at least 16"
        + " are needed");
    assertThat(RelayKeySecret.problem(secret("%%%"))).contains("holds a 'relay-key' that is not base64");
    String ownKey = Base64.getEncoder().encodeToString("a key someone else chose, long enough".getBytes(
        StandardCharsets.UTF_8));
    assertThat(RelayKeySecret.problem(secret(ownKey))).as("a key someone else put there is used").isEmpty();
  }

  @Test
  void theChecksumFollowsTheKeyOnly() {
    RealtimeTenant tenant = acmeExample();
    Secret one = RelayKeySecret.build(tenant, "the-same-key-of-enough-bytes");
    Secret same = RelayKeySecret.build(tenant, "the-same-key-of-enough-bytes");
    same.getMetadata().setResourceVersion("42");
    assertThat(RelayKeySecret.checksum(one)).isEqualTo(RelayKeySecret.checksum(same))
        .isNotEqualTo(RelayKeySecret.checksum(RelayKeySecret.build(tenant, "another-key-of-enough-bytes")))
        .doesNotContain("the-same-key");
  }

  private static Secret secret(String data) {
    SecretBuilder secret = new SecretBuilder().withNewMetadata().withName("acme-runtime-relay").endMetadata();
    if (data != null) {
      secret.addToData("relay-key", data);
    }
    return secret.build();
  }
}
