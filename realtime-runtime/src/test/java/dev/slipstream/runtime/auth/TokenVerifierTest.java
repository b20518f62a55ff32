package dev.slipstream.runtime.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.util.Base64URL;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenVerifierTest {

  static final Instant NOW = Instant.parse("2026-11-24T01:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final String SECRET = TestTokens.SECRET;

  final TokenVerifier hsVerifier = new TokenVerifier(AuthSettings.withSecret(SECRET), CLOCK);

  /** A clock a test moves by hand. */
  static final class MovableClock extends Clock {
    volatile Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  static TokenRejectedException rejection(TokenVerifier verifier, String token) {
    TokenRejectedException e = catchThrowableOfType(TokenRejectedException.class, () -> verifier.verify(token));
    assertThat(e).as("token must be refused").isNotNull();
    return e;
  }

  @Nested
  class SharedSecret {

    @Test
    void validHs256TokenGivesItsClaims() throws Exception {
      Map<String, Object> claims = TestTokens.claims("authenticated", NOW.plusSeconds(3600));
      claims.put("sub", "6f1c9d2e-7a3b-4c5d-9e8f-0a1b2c3d4e5f");
      claims.put("app_metadata", Map.of("tenant_id", 42));

      Claims verified = hsVerifier.verify(TestTokens.hs256(SECRET, claims));

      assertThat(verified.role()).isEqualTo("authenticated");
      assertThat(verified.expiresAt()).isEqualTo(NOW.plusSeconds(3600));
      assertThat(verified.subject()).isEqualTo("6f1c9d2e-7a3b-4c5d-9e8f-0a1b2c3d4e5f");
      assertThat(verified.claim("app_metadata.tenant_id")).isEqualTo("42");
      assertThat(verified.isExpiredAt(NOW)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS256", "HS384", "HS512"})
    void everyHmacAlgorithmWorksWithTheSecret(String alg) throws Exception {
      String token = TestTokens.hmac(alg, SECRET, Map.of(), TestTokens.claims("anon", NOW.plusSeconds(60)));
      assertThat(hsVerifier.verify(token).role()).isEqualTo("anon");
    }

    @Test
    void shortSecretsWorkAsInSupabase() throws Exception {
      // nimbus's MACVerifier would refuse a secret under 256 bits; Supabase (Joken) accepts it
      TokenVerifier verifier = new TokenVerifier(AuthSettings.withSecret("short"), CLOCK);
      assertThat(verifier.verify(TestTokens.hs256("short", "anon", NOW.plusSeconds(60))).role()).isEqualTo("anon");
    }

    @Test
    void secretIsTheUtf8BytesOfTheString() throws Exception {
      String secret = "sécret-ünïcode-with-enough-length-0123456789";
      TokenVerifier verifier = new TokenVerifier(AuthSettings.withSecret(secret), CLOCK);
      String token = TestTokens.hmac("HS256", secret.getBytes(StandardCharsets.UTF_8), Map.of(),
          TestTokens.claims("anon", NOW.plusSeconds(60)));
      assertThat(verifier.verify(token).role()).isEqualTo("anon");
    }

    @Test
    void hsTokenWithKidNotInAnyJwksUsesTheSecret() throws Exception {
      // Supabase Auth's HS256 tokens carry a kid that is never published
      String token = TestTokens.hmac("HS256", SECRET, Map.of("kid", "auth-kid"),
          TestTokens.claims("authenticated", NOW.plusSeconds(60)));
      assertThat(hsVerifier.verify(token).role()).isEqualTo("authenticated");
    }

    @Test
    void wrongSecretIsABadSignature() {
      String token = TestTokens.hs256("another-secret-of-sufficient-length-123456", "anon", NOW.plusSeconds(60));

      TokenRejectedException e = rejection(hsVerifier, token);

      assertThat(e.reason()).isEqualTo(Rejection.BAD_SIGNATURE);
      assertThat(e.getMessage()).isEqualTo("Failed to validate JWT signature");
      assertThat(e.joinReason()).isEqualTo("JwtSignatureError: Failed to validate JWT signature");
      assertThat(e.handshakeMessage()).isEqualTo("Failed to validate JWT signature");
      assertThat(e.handshakeStatus()).isEqualTo(401);
    }

    @Test
    void duringARotationTokensOfThePreviousSecretAreAcceptedAndOthersStillRefused() throws Exception {
      String previous = "the-secret-before-the-rotation-0123456789";
      TokenVerifier rotating = new TokenVerifier(AuthSettings.withSecret(SECRET).alsoAccepting(previous), CLOCK);

      assertThat(rotating.verify(TestTokens.hs256(SECRET, "anon", NOW.plusSeconds(60))).role()).isEqualTo("anon");
      assertThat(rotating.verify(TestTokens.hs256(previous, "authenticated", NOW.plusSeconds(60))).role())
          .isEqualTo("authenticated");
      assertThat(rejection(rotating, TestTokens.hs256("neither-secret-of-sufficient-length-0123", "anon",
          NOW.plusSeconds(60))).reason()).isEqualTo(Rejection.BAD_SIGNATURE);
      // the previous secret verifies signatures only: an expired token signed with it is still expired
      assertThat(rejection(rotating, TestTokens.hs256(previous, "anon", NOW.minusSeconds(60))).reason())
          .isNotEqualTo(Rejection.BAD_SIGNATURE);
      // and without it, what the previous secret signed is refused, as after the rollover is complete
      assertThat(rejection(hsVerifier, TestTokens.hs256(previous, "anon", NOW.plusSeconds(60))).reason())
          .isEqualTo(Rejection.BAD_SIGNATURE);
    }

    @Test
    void tamperedPayloadIsABadSignature() {
      String token = TestTokens.hs256(SECRET, "anon", NOW.plusSeconds(60));
      String escalated = TestTokens.tamperedPayload(token, TestTokens.claims("service_role", NOW.plusSeconds(60)));

      assertThat(rejection(hsVerifier, escalated).reason()).isEqualTo(Rejection.BAD_SIGNATURE);
    }

    @Test
    void signatureIsCheckedBeforeExpiry() {
      String forgedAndExpired = TestTokens.hs256("not-the-secret-at-all-0123456789abcdef", "anon", NOW.minusSeconds(5));
      assertThat(rejection(hsVerifier, forgedAndExpired).reason()).isEqualTo(Rejection.BAD_SIGNATURE);
    }

    @Test
    void whitespaceInsideTheTokenIsIgnoredAsSupabaseCleansIt() throws Exception {
      String token = TestTokens.hs256(SECRET, "anon", NOW.plusSeconds(60));
      String pasted = " " + token.substring(0, 20) + "\n" + token.substring(20) + "\t";
      assertThat(hsVerifier.verify(pasted).role()).isEqualTo("anon");
    }
  }

  @Nested
  class Expiry {

    @Test
    void expiredTokenSaysHowManySecondsAgo() {
      String token = TestTokens.hs256(SECRET, "authenticated", NOW.minusSeconds(42));

      TokenRejectedException e = rejection(hsVerifier, token);

      assertThat(e.reason()).isEqualTo(Rejection.EXPIRED);
      assertThat(e.getMessage()).isEqualTo("Token has expired 42 seconds ago");
      assertThat(e.joinReason()).isEqualTo("InvalidJWTToken: Token has expired 42 seconds ago");
      assertThat(e.handshakeMessage()).isEqualTo("Token has expired");
    }

    @Test
    void expiringThisVerySecondIsExpiredWithoutLeeway() {
      // Supabase: valid only while exp > now, in whole seconds
      assertThat(rejection(hsVerifier, TestTokens.hs256(SECRET, "anon", NOW)).getMessage())
          .isEqualTo("Token has expired 0 seconds ago");
    }

    @Test
    void expiringNextSecondIsValid() throws Exception {
      assertThat(hsVerifier.verify(TestTokens.hs256(SECRET, "anon", NOW.plusSeconds(1))).role()).isEqualTo("anon");
    }

    @Test
    void clockIsReadAtEachVerification() throws Exception {
      String token = TestTokens.hs256(SECRET, "anon", NOW.plusSeconds(10));
      TokenVerifier later = new TokenVerifier(AuthSettings.withSecret(SECRET),
          Clock.fixed(NOW.plusSeconds(25), ZoneOffset.UTC));

      assertThat(hsVerifier.verify(token).role()).isEqualTo("anon");
      assertThat(rejection(later, token).getMessage()).isEqualTo("Token has expired 15 seconds ago");
    }

    @Test
    void aRememberedTokenStillExpires() throws Exception {
      MovableClock clock = new MovableClock(NOW);
      TokenVerifier verifier = new TokenVerifier(AuthSettings.withSecret(SECRET), clock);
      String token = TestTokens.hs256(SECRET, "anon", NOW.plusSeconds(10));

      Claims first = verifier.verify(token);
      assertThat(verifier.verify(token)).isSameAs(first); // remembered, not verified again
      clock.now = NOW.plusSeconds(10);

      assertThat(rejection(verifier, token).getMessage()).isEqualTo("Token has expired 0 seconds ago");
      assertThat(verifier.rememberedTokens()).isZero();
    }

    @Test
    void rememberedTokensAreBounded() throws Exception {
      for (int i = 0; i < VerifiedTokens.CAPACITY + 10; i++) {
        hsVerifier.verify(TestTokens.hs256(SECRET, "user-" + i, NOW.plusSeconds(60)));
      }
      assertThat(hsVerifier.rememberedTokens()).isBetween(1, VerifiedTokens.CAPACITY);
    }

    @Test
    void rejectedTokensAreNotRemembered() {
      rejection(hsVerifier, TestTokens.hs256(SECRET, "anon", NOW.minusSeconds(1)));
      rejection(hsVerifier, TestTokens.hs256("wrong-wrong-wrong-wrong-wrong-wrong", "anon", NOW.plusSeconds(9)));
      assertThat(hsVerifier.rememberedTokens()).isZero();
    }

    @Test
    void fractionalExpIsAccepted() throws Exception {
      Map<String, Object> claims = TestTokens.claims("anon", NOW);
      claims.put("exp", NOW.getEpochSecond() + 30.5);

      Claims verified = hsVerifier.verify(TestTokens.hs256(SECRET, claims));

      assertThat(verified.expiresAt()).isEqualTo(NOW.plusSeconds(30).plusMillis(500));
    }

    @Test
    void absurdExpValuesNeitherOverflowNorThrow() throws Exception {
      Map<String, Object> far = TestTokens.claims("anon", NOW);
      far.put("exp", Long.MAX_VALUE);
      assertThat(hsVerifier.verify(TestTokens.hs256(SECRET, far)).expiresAt()).isEqualTo(Instant.MAX);

      Map<String, Object> ancient = TestTokens.claims("anon", NOW);
      ancient.put("exp", Long.MIN_VALUE);
      assertThat(rejection(hsVerifier, TestTokens.hs256(SECRET, ancient)).getMessage())
          .isEqualTo("Token has expired " + Long.MAX_VALUE + " seconds ago");

      Map<String, Object> huge = TestTokens.claims("anon", NOW);
      huge.put("exp", 1e300);
      assertThat(hsVerifier.verify(TestTokens.hs256(SECRET, huge)).expiresAt()).isEqualTo(Instant.MAX);
    }

    @Test
    void notBeforeInTheFutureIsRefused() {
      Map<String, Object> claims = TestTokens.claims("anon", NOW.plusSeconds(3600));
      claims.put("nbf", NOW.getEpochSecond() + 600);

      TokenRejectedException e = rejection(hsVerifier, TestTokens.hs256(SECRET, claims));

      assertThat(e.reason()).isEqualTo(Rejection.NOT_YET_VALID);
      assertThat(e.getMessage()).isEqualTo("Token is not valid yet, it becomes valid in 600 seconds");
      assertThat(e.joinReason()).startsWith("InvalidJWTToken: ");
    }

    @Test
    void notBeforeWithinTheLeewayOrPastIsAccepted() throws Exception {
      for (long nbf : new long[] {NOW.getEpochSecond() - 100, NOW.getEpochSecond(),
          NOW.getEpochSecond() + ClaimChecks.NOT_BEFORE_LEEWAY_SECONDS}) {
        Map<String, Object> claims = TestTokens.claims("anon", NOW.plusSeconds(3600));
        claims.put("nbf", nbf);
        assertThat(hsVerifier.verify(TestTokens.hs256(SECRET, claims)).role()).isEqualTo("anon");
      }
    }

    @Test
    void nonNumericTimeClaimsAreMalformed() {
      Map<String, Object> badIat = TestTokens.claims("anon", NOW.plusSeconds(60));
      badIat.put("iat", "yesterday");
      Map<String, Object> badNbf = TestTokens.claims("anon", NOW.plusSeconds(60));
      badNbf.put("nbf", "soon");

      assertThat(rejection(hsVerifier, TestTokens.hs256(SECRET, badIat)).reason()).isEqualTo(Rejection.MALFORMED);
      assertThat(rejection(hsVerifier, TestTokens.hs256(SECRET, badNbf)).reason()).isEqualTo(Rejection.MALFORMED);
    }
  }

  @Nested
  class RequiredClaims {

    static final String MISSING = "Fields `role` and `exp` are required in JWT";

    @Test
    void missingExp() {
      TokenRejectedException e = rejection(hsVerifier, TestTokens.hs256(SECRET, Map.of("role", "anon")));

      assertThat(e.reason()).isEqualTo(Rejection.MISSING_CLAIMS);
      assertThat(e.getMessage()).isEqualTo(MISSING);
      assertThat(e.joinReason()).isEqualTo("InvalidJWTToken: " + MISSING);
      assertThat(e.handshakeMessage()).isEqualTo(MISSING);
    }

    @Test
    void missingRole() {
      String token = TestTokens.hs256(SECRET, Map.of("exp", NOW.getEpochSecond() + 60, "sub", "u1"));
      assertThat(rejection(hsVerifier, token).getMessage()).isEqualTo(MISSING);
    }

    @Test
    void roleMustBeAString() {
      String token = TestTokens.hs256(SECRET, Map.of("exp", NOW.getEpochSecond() + 60, "role", 7));
      assertThat(rejection(hsVerifier, token).getMessage()).isEqualTo(MISSING);
    }

    @Test
    void expMustBeANumber() {
      String token = TestTokens.hs256(SECRET, Map.of("exp", "tomorrow", "role", "anon"));
      assertThat(rejection(hsVerifier, token).getMessage()).isEqualTo(MISSING);
    }

    @Test
    void expiredIsReportedBeforeAMissingRoleAsInSupabase() {
      String token = TestTokens.hs256(SECRET, Map.of("exp", NOW.getEpochSecond() - 3));
      assertThat(rejection(hsVerifier, token).getMessage()).isEqualTo("Token has expired 3 seconds ago");
    }
  }

  @Nested
  class AlgorithmsAndKeys {

    static final String NO_SIGNER = "Failed to generate JWT signer, check your JWT secret or JWKS configuration";

    @Test
    void algNoneIsRefused() {
      String token = TestTokens.unsigned(TestTokens.claims("service_role", NOW.plusSeconds(60)));

      TokenRejectedException e = rejection(hsVerifier, token);

      assertThat(e.reason()).isEqualTo(Rejection.NO_SIGNER);
      assertThat(e.getMessage()).isEqualTo(NO_SIGNER);
      assertThat(e.joinReason()).isEqualTo("JwtSignerError: " + NO_SIGNER);
    }

    @Test
    void algNoneWithAForgedHmacSignatureIsRefused() {
      String token = TestTokens.raw(Map.of("alg", "none"), TestTokens.claims("service_role", NOW.plusSeconds(60)),
          "c2lnbmF0dXJl");
      assertThat(rejection(hsVerifier, token).reason()).isIn(Rejection.NO_SIGNER, Rejection.MALFORMED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"PS256", "HS1024", "RS1", "ES256K", "foo"})
    void unknownAlgorithmsHaveNoSigner(String alg) {
      String token = TestTokens.raw(Map.of("alg", alg, "typ", "JWT"),
          TestTokens.claims("anon", NOW.plusSeconds(60)), "c2lnbmF0dXJl");
      assertThat(rejection(hsVerifier, token).getMessage()).isEqualTo(NO_SIGNER);
    }

    @Test
    void rsaTokenAgainstASecretOnlyVerifierHasNoSigner() {
      TestTokens.SigningKey rsa = TestTokens.rsa("rsa-1");
      String token = rsa.sign(TestTokens.claims("anon", NOW.plusSeconds(60)));
      assertThat(rejection(hsVerifier, token).getMessage()).isEqualTo(NO_SIGNER);
    }

    @Test
    void rs256AndEs256AreVerifiedByKid() throws Exception {
      TestTokens.SigningKey rsa = TestTokens.rsa("rsa-1");
      TestTokens.SigningKey ec = TestTokens.ec("ec-1");
      TokenVerifier verifier = new TokenVerifier(AuthSettings.withJwks(TestTokens.jwks(rsa, ec)), CLOCK);

      assertThat(verifier.verify(rsa.sign(TestTokens.claims("authenticated", NOW.plusSeconds(60)))).role())
          .isEqualTo("authenticated");
      assertThat(verifier.verify(ec.sign(TestTokens.claims("service_role", NOW.plusSeconds(60)))).role())
          .isEqualTo("service_role");
    }

    @Test
    void eddsaIsVerifiedByKid() throws Exception {
      TestTokens.EdDsaKey ed = TestTokens.ed25519("ed-1");
      TokenVerifier verifier = new TokenVerifier(AuthSettings.withJwks(TestTokens.jwks(ed)), CLOCK);

      assertThat(verifier.verify(ed.sign(TestTokens.claims("authenticated", NOW.plusSeconds(60)))).role())
          .isEqualTo("authenticated");
      String tampered = TestTokens.tamperedPayload(ed.sign(TestTokens.claims("anon", NOW.plusSeconds(60))),
          TestTokens.claims("service_role", NOW.plusSeconds(60)));
      assertThat(rejection(verifier, tampered).reason()).isEqualTo(Rejection.BAD_SIGNATURE);
    }

    @Test
    void unknownKidIsNamedInTheMessage() {
      TestTokens.SigningKey published = TestTokens.rsa("rsa-1");
      TestTokens.SigningKey other = TestTokens.rsa("rsa-2");
      TokenVerifier verifier = new TokenVerifier(AuthSettings.withJwks(TestTokens.jwks(published)), CLOCK);

      TokenRejectedException e = rejection(verifier, other.sign(TestTokens.claims("anon", NOW.plusSeconds(60))));

      assertThat(e.reason()).isEqualTo(Rejection.NO_SIGNER);
      String expected = "Failed to generate JWT signer for key ID (kid) \"rsa-2\", "
          + "check your JWT secret or JWKS configuration";
      assertThat(e.getMessage()).isEqualTo(expected);
      assertThat(e.joinReason()).isEqualTo("JwtSignerError: " + expected);
      assertThat(e.handshakeMessage()).isEqualTo(expected);
    }

    @Test
    void rsaTokenWithoutKidHasNoSigner() {
      TestTokens.SigningKey rsa = TestTokens.rsa("rsa-1");
      TokenVerifier verifier = new TokenVerifier(AuthSettings.withJwks(TestTokens.jwks(rsa)), CLOCK);
      assertThat(rejection(verifier, rsa.sign(TestTokens.claims("anon", NOW.plusSeconds(60)), null)).getMessage())
          .isEqualTo(NO_SIGNER);
    }

    @Test
    void keyOfTheWrongFamilyUnderTheRightKidIsNotUsed() {
      // an ES256 token naming the RSA key's kid: the alg picks the family, so there is no EC key "shared"
      TestTokens.SigningKey rsa = TestTokens.rsa("shared");
      TestTokens.SigningKey ec = TestTokens.ec("other");
      TokenVerifier verifier = new TokenVerifier(AuthSettings.withJwks(TestTokens.jwks(rsa)), CLOCK);
      String token = ec.sign(TestTokens.claims("anon", NOW.plusSeconds(60)), "shared");
      assertThat(rejection(verifier, token).getMessage()).contains("(kid) \"shared\"");
    }

    @Test
    void hsTokenAgainstAJwksOnlyVerifierIsRefused() {
      // algorithm confusion: an HS256 token "signed" with the RSA public key as HMAC secret
      TestTokens.SigningKey rsa = TestTokens.rsa("rsa-1");
      String jwks = TestTokens.jwks(rsa);
      TokenVerifier verifier = new TokenVerifier(AuthSettings.withJwks(jwks), CLOCK);
      Map<String, Object> claims = TestTokens.claims("service_role", NOW.plusSeconds(60));

      String withKid = TestTokens.hmac("HS256", jwks, Map.of("kid", "rsa-1"), claims);
      String withoutKid = TestTokens.hmac("HS256", jwks, Map.of(), claims);
      String withPem = TestTokens.hmac("HS256", rsa.publicJwk().toString(), Map.of("kid", "rsa-1"), claims);

      assertThat(rejection(verifier, withKid).reason()).isEqualTo(Rejection.NO_SIGNER);
      assertThat(rejection(verifier, withoutKid).reason()).isEqualTo(Rejection.NO_SIGNER);
      assertThat(rejection(verifier, withPem).reason()).isEqualTo(Rejection.NO_SIGNER);
    }

    @Test
    void hsTokenWithKidUsesTheJwksOctKey() throws Exception {
      byte[] octSecret = "oct-secret-published-in-the-jwks-0123456789".getBytes(StandardCharsets.UTF_8);
      String jwks = TestTokens.jwks(TestTokens.octKey("hs-1", octSecret));
      TokenVerifier verifier = new TokenVerifier(new AuthSettings(SECRET, AuthSettings.parseJwks(jwks, "test"),
          true), CLOCK);
      Map<String, Object> claims = TestTokens.claims("anon", NOW.plusSeconds(60));

      assertThat(verifier.verify(TestTokens.hmac("HS256", octSecret, Map.of("kid", "hs-1"), claims)).role())
          .isEqualTo("anon");
      // the oct key wins over the secret for its kid
      assertThat(rejection(verifier, TestTokens.hmac("HS256", SECRET, Map.of("kid", "hs-1"), claims)).reason())
          .isEqualTo(Rejection.BAD_SIGNATURE);
      // other kids fall back to the secret
      assertThat(verifier.verify(TestTokens.hmac("HS256", SECRET, Map.of("kid", "other"), claims)).role())
          .isEqualTo("anon");
    }

    @Test
    void secretAndJwksTogetherAcceptBoth() throws Exception {
      TestTokens.SigningKey ec = TestTokens.ec("ec-1");
      TokenVerifier verifier = new TokenVerifier(
          new AuthSettings(SECRET, AuthSettings.parseJwks(TestTokens.jwks(ec), "test"), true), CLOCK);

      assertThat(verifier.verify(ec.sign(TestTokens.claims("a", NOW.plusSeconds(60)))).role()).isEqualTo("a");
      assertThat(verifier.verify(TestTokens.hs256(SECRET, "b", NOW.plusSeconds(60))).role()).isEqualTo("b");
    }

    @Test
    void criticalHeaderExtensionsAreRefused() {
      String token = TestTokens.hmac("HS256", SECRET, Map.of("crit", java.util.List.of("exp"), "exp", 1),
          TestTokens.claims("anon", NOW.plusSeconds(60)));
      assertThat(rejection(hsVerifier, token).reason()).isEqualTo(Rejection.MALFORMED);
    }
  }

  @Nested
  class Malformed {

    static final String MALFORMED = "The token provided is not a valid JWT";

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "abc", "abc.def", "a.b.c", "...", "a.b.c.d", "a.b.c.d.e",
        "eyJhbGciOiJIUzI1NiJ9", "eyJhbGciOiJIUzI1NiJ9.", "eyJhbGciOiJIUzI1NiJ9.%%%.sig",
        "eyJhbGciOiJIUzI1NiJ9.W10.c2ln", // payload is [], not an object
        "W10.e30.c2ln", // header is []
        "bnVsbA.e30.c2ln", // header is null
        "e30.e30.c2ln", // header {} has no alg
        "not a jwt at all", "Bearer eyJ", "\u0000\u0001.\u0002.\u0003", "🙂.🙂.🙂"})
    void isRefusedAsNotAValidJwt(String token) {
      TokenRejectedException e = rejection(hsVerifier, token);

      assertThat(e.reason()).isEqualTo(Rejection.MALFORMED);
      assertThat(e.getMessage()).isEqualTo(MALFORMED);
      assertThat(e.joinReason()).isEqualTo("MalformedJWT: " + MALFORMED);
      assertThat(e.handshakeMessage()).isEqualTo(MALFORMED);
    }

    @Test
    void garbageBase64SegmentsAreMalformed() {
      String header = Base64URL.encode("{\"alg\":\"HS256\"}").toString();
      assertThat(rejection(hsVerifier, header + ".!!!!.????").reason()).isEqualTo(Rejection.MALFORMED);
      assertThat(rejection(hsVerifier, "!!!!." + header + ".sig").reason()).isEqualTo(Rejection.MALFORMED);
    }

    @Test
    void encryptedJwtsAreMalformed() {
      String header = Base64URL.encode("{\"alg\":\"dir\",\"enc\":\"A128GCM\"}").toString();
      assertThat(rejection(hsVerifier, header + "..aXY.Y2lwaGVy.dGFn").reason()).isEqualTo(Rejection.MALFORMED);
    }

    @Test
    void missingTokenSaysTheApiKeyIsMissing() {
      TokenRejectedException e = rejection(hsVerifier, null);

      assertThat(e.reason()).isEqualTo(Rejection.MISSING_TOKEN);
      assertThat(e.getMessage()).isEqualTo("API key is missing");
      assertThat(e.handshakeStatus()).isEqualTo(401);
    }
  }

  @Nested
  class Disabled {

    @Test
    void everyConnectionIsAnonymous() throws Exception {
      TokenVerifier verifier = new TokenVerifier(AuthSettings.disabled(), CLOCK);

      assertThat(verifier.required()).isFalse();
      assertThat(verifier.verify(null)).isSameAs(Claims.anonymous());
      assertThat(verifier.verify("garbage")).isSameAs(Claims.anonymous());
      assertThat(verifier.verify(TestTokens.hs256(SECRET, "service_role", NOW.plusSeconds(60))).role())
          .isEqualTo("anon");
      assertThat(Claims.anonymous().expiresAt()).isNull();
      assertThat(Claims.anonymous().isExpiredAt(Instant.MAX)).isFalse();
    }

    @Test
    void requiredVerifierSaysSo() {
      assertThat(hsVerifier.required()).isTrue();
    }
  }

  @Test
  void messagesNeverContainTheSecretOrTheToken() {
    TestTokens.SigningKey rsa = TestTokens.rsa("rsa-1");
    TokenVerifier verifier = new TokenVerifier(
        new AuthSettings(SECRET, AuthSettings.parseJwks(TestTokens.jwks(rsa), "test"), true), CLOCK);
    String[] tokens = {
        TestTokens.hs256("wrong-secret-wrong-secret-wrong-secret", "anon", NOW.plusSeconds(60)),
        TestTokens.hs256(SECRET, "anon", NOW.minusSeconds(60)),
        TestTokens.hs256(SECRET, Map.of("role", "anon")),
        TestTokens.unsigned(TestTokens.claims("anon", NOW.plusSeconds(60))),
        TestTokens.rsa("rsa-9").sign(TestTokens.claims("anon", NOW.plusSeconds(60))),
        "garbage." + SECRET + ".x",
        SECRET,
    };
    for (String token : tokens) {
      TokenRejectedException e = rejection(verifier, token);
      for (String text : new String[] {e.getMessage(), e.joinReason(), e.handshakeMessage(), e.toString()}) {
        assertThat(text).doesNotContain(SECRET).doesNotContain(token);
      }
    }
    assertThat(verifier.toString()).doesNotContain(SECRET);
  }

  @Test
  void rejectionsCarryNoStackTrace() {
    TokenRejectedException e = rejection(hsVerifier, "x");
    assertThat(e.getStackTrace()).isEmpty();
  }

  @Test
  void verifierIsSharedSafelyAcrossThreads() throws Exception {
    TestTokens.SigningKey ec = TestTokens.ec("ec-1");
    TokenVerifier verifier = new TokenVerifier(
        new AuthSettings(SECRET, AuthSettings.parseJwks(TestTokens.jwks(ec), "test"), true), CLOCK);
    String hs = TestTokens.hs256(SECRET, "hs", NOW.plusSeconds(60));
    String es = ec.sign(TestTokens.claims("es", NOW.plusSeconds(60)));
    String bad = TestTokens.hs256("nope-nope-nope-nope-nope-nope-nope", "x", NOW.plusSeconds(60));

    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
      var results = new java.util.ArrayList<java.util.concurrent.Future<Boolean>>();
      for (int i = 0; i < 400; i++) {
        int n = i;
        results.add(pool.submit(() -> {
          if (n % 3 == 2) {
            return rejection(verifier, bad).reason() == Rejection.BAD_SIGNATURE;
          }
          return verifier.verify(n % 3 == 0 ? hs : es).role().equals(n % 3 == 0 ? "hs" : "es");
        }));
      }
      for (var result : results) {
        assertThat(result.get()).isTrue();
      }
    }
  }

  @Test
  void verifyDoesNotAcceptNullSettings() {
    assertThatThrownBy(() -> new TokenVerifier(null, CLOCK)).isInstanceOf(NullPointerException.class);
  }
}
