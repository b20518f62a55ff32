package dev.slipstream.operator.model;

import static dev.slipstream.operator.model.TenantFixtures.PASSWORD;
import static dev.slipstream.operator.model.TenantFixtures.USERNAME;
import static dev.slipstream.operator.model.TenantFixtures.credentials;
import static dev.slipstream.operator.model.TenantFixtures.secret;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.api.v1alpha1.CredentialsSecretRef;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretChecksumTest {

  private static final CredentialsSecretRef DEFAULT_KEYS = ref(null, null);

  @Test
  void isAHexSha256WithoutTheValues() {
    String checksum = SecretChecksum.ofCredentials(credentials(USERNAME, PASSWORD), DEFAULT_KEYS);
    assertThat(checksum).matches("[0-9a-f]{64}").doesNotContain(PASSWORD)
        .doesNotContain(Base64.getEncoder().encodeToString(PASSWORD.getBytes()));
  }

  @Test
  void isStableForTheSameValues() {
    assertThat(SecretChecksum.ofCredentials(credentials(USERNAME, PASSWORD), DEFAULT_KEYS))
        .isEqualTo(SecretChecksum.ofCredentials(credentials(USERNAME, PASSWORD), DEFAULT_KEYS));
  }

  @Test
  void changesWithThePasswordOrTheUserName() {
    String before = SecretChecksum.ofCredentials(credentials(USERNAME, PASSWORD), DEFAULT_KEYS);
    assertThat(SecretChecksum.ofCredentials(credentials(USERNAME, PASSWORD + "!"), DEFAULT_KEYS)).isNotEqualTo(before);
    assertThat(SecretChecksum.ofCredentials(credentials("other", PASSWORD), DEFAULT_KEYS)).isNotEqualTo(before);
  }

  @Test
  void ignoresKeysTheRuntimeDoesNotRead() {
    Secret withExtra = secret("acme-db", Map.of("username", USERNAME, "password", PASSWORD, "host", "elsewhere"));
    assertThat(SecretChecksum.ofCredentials(withExtra, DEFAULT_KEYS))
        .isEqualTo(SecretChecksum.ofCredentials(credentials(USERNAME, PASSWORD), DEFAULT_KEYS));
  }

  @Test
  void readsTheKeysTheReferenceNames() {
    Secret custom = secret("acme-db", Map.of("user", USERNAME, "pass", PASSWORD));
    assertThat(SecretChecksum.ofCredentials(custom, ref("user", "pass")))
        .isEqualTo(SecretChecksum.of(custom, "user", "pass"))
        .isNotEqualTo(SecretChecksum.ofCredentials(custom, DEFAULT_KEYS));
  }

  @Test
  void stringDataCountsLikeDataAndWins() {
    Secret plain = new SecretBuilder().withNewMetadata().withName("acme-db").endMetadata()
        .addToStringData("username", USERNAME).addToStringData("password", PASSWORD).build();
    assertThat(SecretChecksum.ofCredentials(plain, DEFAULT_KEYS))
        .isEqualTo(SecretChecksum.ofCredentials(credentials(USERNAME, PASSWORD), DEFAULT_KEYS));
    Secret both = new SecretBuilder(credentials(USERNAME, "old")).addToStringData("password", PASSWORD).build();
    assertThat(SecretChecksum.ofCredentials(both, DEFAULT_KEYS))
        .isEqualTo(SecretChecksum.ofCredentials(credentials(USERNAME, PASSWORD), DEFAULT_KEYS));
  }

  @Test
  void aMissingKeyDiffersFromAnEmptyValue() {
    Secret missing = secret("acme-db", Map.of("username", USERNAME));
    Secret empty = secret("acme-db", Map.of("username", USERNAME, "password", ""));
    assertThat(SecretChecksum.ofCredentials(missing, DEFAULT_KEYS))
        .isNotEqualTo(SecretChecksum.ofCredentials(empty, DEFAULT_KEYS));
  }

  @Test
  void valueBoundariesArePartOfTheHash() {
    assertThat(SecretChecksum.ofCredentials(credentials("ab", "c"), DEFAULT_KEYS))
        .isNotEqualTo(SecretChecksum.ofCredentials(credentials("a", "bc"), DEFAULT_KEYS));
  }

  private static CredentialsSecretRef ref(String usernameKey, String passwordKey) {
    CredentialsSecretRef ref = new CredentialsSecretRef();
    ref.setName("acme-db");
    ref.setUsernameKey(usernameKey);
    ref.setPasswordKey(passwordKey);
    return ref;
  }
}
