package dev.slipstream.runtime.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthSettingsTest {

  @Test
  void nothingConfiguredMeansDisabled() {
    AuthSettings settings = AuthSettings.fromEnvironment(Map.of());

    assertThat(settings.required()).isFalse();
    assertThat(settings.jwtSecret()).isNull();
    assertThat(settings.jwks()).isNull();
  }

  @Test
  void aSecretMakesAuthRequired() {
    AuthSettings settings = AuthSettings.fromEnvironment(Map.of("SLIPSTREAM_JWT_SECRET", TestTokens.SECRET));

    assertThat(settings.required()).isTrue();
    assertThat(settings.jwtSecret()).isEqualTo(TestTokens.SECRET);
  }

  @Test
  void theSecretIsTakenVerbatim() {
    AuthSettings settings = AuthSettings.fromEnvironment(Map.of("SLIPSTREAM_JWT_SECRET", " padded secret "));
    assertThat(settings.jwtSecret()).isEqualTo(" padded secret ");
  }

  @Test
  void jwksTextMakesAuthRequired() {
    String jwks = TestTokens.jwks(TestTokens.ec("ec-1"));
    AuthSettings settings = AuthSettings.fromEnvironment(Map.of("SLIPSTREAM_JWKS", jwks));

    assertThat(settings.required()).isTrue();
    assertThat(settings.jwks().getKeys()).hasSize(1);
  }

  @Test
  void jwksFileIsReadAtStartup(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("jwks.json");
    Files.writeString(file, TestTokens.jwks(TestTokens.rsa("rsa-1"), TestTokens.ec("ec-1")));

    AuthSettings settings = AuthSettings.fromEnvironment(Map.of("SLIPSTREAM_JWKS_FILE", file.toString()));

    assertThat(settings.jwks().getKeys()).hasSize(2);
  }

  @Test
  void unreadableJwksFileIsAStartupError(@TempDir Path dir) {
    String missing = dir.resolve("absent.json").toString();
    assertThatThrownBy(() -> AuthSettings.fromEnvironment(Map.of("SLIPSTREAM_JWKS_FILE", missing)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SLIPSTREAM_JWKS_FILE").hasMessageContaining("absent.json");
  }

  @Test
  void badJwksIsAStartupErrorNamingTheVariable() {
    assertThatThrownBy(() -> AuthSettings.fromEnvironment(Map.of("SLIPSTREAM_JWKS", "{not json")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("SLIPSTREAM_JWKS is not a valid JWK Set");
    assertThatThrownBy(() -> AuthSettings.fromEnvironment(Map.of("SLIPSTREAM_JWKS", "{\"keys\": 5}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("SLIPSTREAM_JWKS is not a valid JWK Set");
    assertThatThrownBy(() -> AuthSettings.fromEnvironment(Map.of("SLIPSTREAM_JWKS", "{\"keys\": []}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SLIPSTREAM_JWKS has no key that can verify tokens (its \"keys\" array is empty)");
  }

  @Test
  void jwksWhoseKeysCannotBeSelectedIsAStartupError() {
    String noKid = "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"X25519\",\"kid\":\"x\","
        + "\"x\":\"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo\"},"
        + "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}";
    assertThatThrownBy(() -> AuthSettings.fromEnvironment(Map.of("SLIPSTREAM_JWKS", noKid)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no key that can verify tokens")
        .hasMessageContaining("key 'x' (OKP): OKP curve X25519 is not a signature curve")
        .hasMessageContaining("key #1 (oct): it has no kid")
        .hasMessageNotContaining("c2VjcmV0");
  }

  @Test
  void usableKeysBesideUnusableOnesAreKept() {
    String mixed = TestTokens.jwks(TestTokens.ec("ec-1")).replace("]}", ",{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}");
    assertThat(AuthSettings.fromEnvironment(Map.of("SLIPSTREAM_JWKS", mixed)).jwks().getKeys()).hasSize(2);
  }

  @Test
  void bothJwksVariablesIsAnError() {
    assertThatThrownBy(() -> AuthSettings.fromEnvironment(Map.of("SLIPSTREAM_JWKS", "{}",
        "SLIPSTREAM_JWKS_FILE", "/x"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("set only one of SLIPSTREAM_JWKS and SLIPSTREAM_JWKS_FILE");
  }

  @Test
  void explicitlyDisabledIgnoresConfiguredKeys() {
    AuthSettings settings = AuthSettings.fromEnvironment(Map.of("SLIPSTREAM_JWT_SECRET", "s",
        "SLIPSTREAM_AUTH", "disabled"));

    assertThat(settings.required()).isFalse();
    assertThat(TokenVerifier.of(settings).required()).isFalse();
  }

  @Test
  void requiredWithoutKeysIsAStartupError() {
    assertThatThrownBy(() -> AuthSettings.fromEnvironment(Map.of("SLIPSTREAM_AUTH", "required")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SLIPSTREAM_JWT_SECRET").hasMessageContaining("SLIPSTREAM_AUTH=disabled");
  }

  @Test
  void modeIsCaseInsensitiveAndValidated() {
    assertThat(AuthSettings.fromEnvironment(Map.of("SLIPSTREAM_JWT_SECRET", "s", "SLIPSTREAM_AUTH", " Required "))
        .required()).isTrue();
    assertThatThrownBy(() -> AuthSettings.fromEnvironment(Map.of("SLIPSTREAM_AUTH", "optional")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SLIPSTREAM_AUTH must be 'required' or 'disabled', was 'optional'");
  }

  @Test
  void toStringNeverShowsTheSecret() {
    AuthSettings settings = AuthSettings.withSecret(TestTokens.SECRET);
    assertThat(settings.toString()).doesNotContain(TestTokens.SECRET).contains("<redacted>");
  }

  @Test
  void issuerAndAudienceAreReadWhenSet() {
    AuthSettings settings = AuthSettings.fromEnvironment(Map.of("SLIPSTREAM_JWT_SECRET", TestTokens.SECRET,
        "SLIPSTREAM_JWT_ISSUER", "https://auth.acme.example", "SLIPSTREAM_JWT_AUDIENCE", "realtime"));
    assertThat(settings.issuer()).isEqualTo("https://auth.acme.example");
    assertThat(settings.audience()).isEqualTo("realtime");
    assertThat(settings.toString()).doesNotContain(TestTokens.SECRET).contains("issuer=https://auth.acme.example");

    AuthSettings unset = AuthSettings.fromEnvironment(Map.of("SLIPSTREAM_JWT_SECRET", TestTokens.SECRET));
    assertThat(unset.issuer()).isNull();
    assertThat(unset.audience()).isNull();
  }

  @Test
  void thePreviousSecretIsReadBesideTheCurrentOneAndNeverPrinted() {
    AuthSettings settings = AuthSettings.fromEnvironment(Map.of("SLIPSTREAM_JWT_SECRET", TestTokens.SECRET,
        "SLIPSTREAM_JWT_PREVIOUS_SECRET", "the-previous-secret-0123456789"));
    assertThat(settings.previousJwtSecret()).isEqualTo("the-previous-secret-0123456789");
    assertThat(settings.toString()).doesNotContain("the-previous-secret").contains("previousJwtSecret=<redacted>");
    assertThat(settings.requiring("https://auth.acme.example", null).previousJwtSecret())
        .as("kept when issuer and audience are added").isEqualTo("the-previous-secret-0123456789");

    assertThatThrownBy(() -> new AuthSettings(null, null, false, null, null, "p"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SLIPSTREAM_JWT_PREVIOUS_SECRET is only accepted beside a non-empty SLIPSTREAM_JWT_SECRET (the "
            + "previous secret of a rotation, accepted next to the current one)");
  }
}
