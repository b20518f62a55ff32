package dev.slipstream.runtime.auth;

import static dev.slipstream.runtime.auth.TokenVerifierTest.CLOCK;
import static dev.slipstream.runtime.auth.TokenVerifierTest.NOW;
import static dev.slipstream.runtime.auth.TokenVerifierTest.rejection;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The attacks issue #15 names, each against the verifier a tenant's runtime holds: tokens of another
 * tenant, algorithm confusion both ways (with the public key in every encoding an attacker could
 * pick as the HMAC secret), {@code alg: none} in its spellings, time claims, and issuer and audience
 * where they are configured.
 */
class HostileTokensTest {

  private static final String ACME_SECRET = "acme-jwt-secret-0123456789-0123456789-abcdef";
  private static final String GLOBEX_SECRET = "globex-jwt-secret-0123456789-0123456789-abcdef";

  private static final Map<String, Object> CLAIMS = TestTokens.claims("service_role", NOW.plusSeconds(600));

  @Test
  void aTokenOfAnotherTenantIsRefusedByEachTenantsRuntime() throws Exception {
    TokenVerifier acme = new TokenVerifier(AuthSettings.withSecret(ACME_SECRET), CLOCK);
    TokenVerifier globex = new TokenVerifier(AuthSettings.withSecret(GLOBEX_SECRET), CLOCK);
    String acmeToken = TestTokens.hs256(ACME_SECRET, CLAIMS);
    String globexToken = TestTokens.hs256(GLOBEX_SECRET, CLAIMS);

    // Each verifies its own first, so a remembered token cannot leak across (each runtime remembers its own).
    assertThat(acme.verify(acmeToken).role()).isEqualTo("service_role");
    assertThat(globex.verify(globexToken).role()).isEqualTo("service_role");
    assertThat(rejection(acme, globexToken).reason()).isEqualTo(Rejection.BAD_SIGNATURE);
    assertThat(rejection(globex, acmeToken).reason()).isEqualTo(Rejection.BAD_SIGNATURE);
  }

  @Test
  void aTokenOfAnotherTenantsKeyPairIsRefused() {
    TestTokens.SigningKey acmeKey = TestTokens.rsa("tenant-key");
    TestTokens.SigningKey globexKey = TestTokens.rsa("tenant-key"); // the same kid, another key
    TokenVerifier acme = new TokenVerifier(AuthSettings.withJwks(TestTokens.jwks(acmeKey)), CLOCK);

    assertThat(rejection(acme, globexKey.sign(CLAIMS)).reason()).isEqualTo(Rejection.BAD_SIGNATURE);
  }

  @Test
  void hmacKeyedWithThePublicKeyIsRefusedInEveryEncoding() throws JOSEException {
    TestTokens.SigningKey rsa = TestTokens.rsa("rsa-1");
    TestTokens.SigningKey ec = TestTokens.ec("ec-1");
    String jwks = TestTokens.jwks(rsa, ec);
    TokenVerifier jwksOnly = new TokenVerifier(AuthSettings.withJwks(jwks), CLOCK);
    // A tenant with both: HS tokens go to its secret, which is not the public key.
    TokenVerifier both = new TokenVerifier(new AuthSettings(ACME_SECRET, AuthSettings.parseJwks(jwks, "test"), true), CLOCK);

    for (TestTokens.SigningKey key : List.of(rsa, ec)) {
      byte[] der = key.key() instanceof RSAKey r ? r.toPublicKey().getEncoded()
          : ((ECKey) key.key()).toPublicKey().getEncoded();
      String pem = "-----BEGIN PUBLIC KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
          + "\n-----END PUBLIC KEY-----\n";
      List<byte[]> secrets = List.of(der, pem.getBytes(StandardCharsets.US_ASCII),
          key.key().toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8), jwks.getBytes(StandardCharsets.UTF_8));
      for (byte[] secret : secrets) {
        for (String alg : List.of("HS256", "HS384", "HS512")) {
          String withKid = TestTokens.hmac(alg, secret, Map.of("kid", key.kid()), CLAIMS);
          String withoutKid = TestTokens.hmac(alg, secret, Map.of(), CLAIMS);
          assertThat(rejection(jwksOnly, withKid).reason()).as(alg + " kid " + key.kid()).isEqualTo(Rejection.NO_SIGNER);
          assertThat(rejection(jwksOnly, withoutKid).reason()).as(alg).isEqualTo(Rejection.NO_SIGNER);
          assertThat(rejection(both, withKid).reason()).as(alg + " kid, secret configured").isIn(Rejection.NO_SIGNER,
              Rejection.BAD_SIGNATURE);
          assertThat(rejection(both, withoutKid).reason()).as(alg + ", secret configured").isEqualTo(Rejection.BAD_SIGNATURE);
        }
      }
    }
  }

  @Test
  void anAsymmetricTokenToATenantWithOnlyASecretHasNoSigner() {
    TokenVerifier acme = new TokenVerifier(AuthSettings.withSecret(ACME_SECRET), CLOCK);
    assertThat(rejection(acme, TestTokens.rsa("rsa-1").sign(CLAIMS)).reason()).isEqualTo(Rejection.NO_SIGNER);
    assertThat(rejection(acme, TestTokens.ec("ec-1").sign(CLAIMS)).reason()).isEqualTo(Rejection.NO_SIGNER);
    assertThat(rejection(acme, TestTokens.ed25519("ed-1").sign(CLAIMS)).reason()).isEqualTo(Rejection.NO_SIGNER);
  }

  @Test
  void algNoneInEverySpellingIsRefused() {
    TokenVerifier acme = new TokenVerifier(AuthSettings.withSecret(ACME_SECRET), CLOCK);
    String validSignature = TestTokens.hs256(ACME_SECRET, CLAIMS).split("\\.")[2];
    for (String alg : List.of("none", "None", "NONE", "nOnE")) {
      for (String signature : List.of("", validSignature)) {
        Rejection reason = rejection(acme, TestTokens.raw(Map.of("alg", alg, "typ", "JWT"), CLAIMS, signature)).reason();
        assertThat(reason).as(alg + " signature '" + signature + "'").isIn(Rejection.NO_SIGNER, Rejection.MALFORMED);
      }
    }
  }

  @Test
  void expiredAndNotYetValidAreRefusedEvenWhenTheSignatureIsGood() {
    TokenVerifier acme = new TokenVerifier(AuthSettings.withSecret(ACME_SECRET), CLOCK);
    Map<String, Object> expired = TestTokens.claims("service_role", NOW.minusSeconds(1));
    Map<String, Object> early = new HashMap<>(CLAIMS);
    early.put("nbf", NOW.plusSeconds(3600).getEpochSecond());

    assertThat(rejection(acme, TestTokens.hs256(ACME_SECRET, expired)).reason()).isEqualTo(Rejection.EXPIRED);
    assertThat(rejection(acme, TestTokens.hs256(ACME_SECRET, early)).reason()).isEqualTo(Rejection.NOT_YET_VALID);
  }

  @Test
  void whenConfiguredTheIssuerAndAudienceMustMatch() throws Exception {
    TokenVerifier acme = new TokenVerifier(AuthSettings.withSecret(ACME_SECRET)
        .requiring("https://auth.acme.example", "realtime"), CLOCK);
    Map<String, Object> good = new HashMap<>(CLAIMS);
    good.put("iss", "https://auth.acme.example");
    good.put("aud", List.of("api", "realtime"));
    assertThat(acme.verify(TestTokens.hs256(ACME_SECRET, good)).role()).isEqualTo("service_role");
    Map<String, Object> single = new HashMap<>(good);
    single.put("aud", "realtime");
    assertThat(acme.verify(TestTokens.hs256(ACME_SECRET, single)).role()).isEqualTo("service_role");

    for (Object iss : new Object[] {"https://auth.globex.example", null, List.of("https://auth.acme.example")}) {
      Map<String, Object> claims = new HashMap<>(good);
      claims.put("iss", iss);
      TokenRejectedException e = rejection(acme, TestTokens.hs256(ACME_SECRET, claims));
      assertThat(e.reason()).as("iss " + iss).isEqualTo(Rejection.WRONG_ISSUER);
      assertThat(e.joinReason()).isEqualTo("InvalidJWTToken: Token issuer is not accepted");
    }
    for (Object aud : new Object[] {"api", null, List.of("api"), List.of()}) {
      Map<String, Object> claims = new HashMap<>(good);
      claims.put("aud", aud);
      assertThat(rejection(acme, TestTokens.hs256(ACME_SECRET, claims)).reason()).as("aud " + aud)
          .isEqualTo(Rejection.WRONG_AUDIENCE);
    }
    // Unconfigured, neither is looked at (as in Supabase Realtime).
    TokenVerifier plain = new TokenVerifier(AuthSettings.withSecret(ACME_SECRET), CLOCK);
    Map<String, Object> other = new HashMap<>(good);
    other.put("iss", "https://auth.globex.example");
    other.put("aud", "elsewhere");
    assertThat(plain.verify(TestTokens.hs256(ACME_SECRET, other)).role()).isEqualTo("service_role");
  }
}
