package dev.slipstream.runtime.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.Base64URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever a client sends, verification ends in claims or a {@link TokenRejectedException} whose
 * messages reveal neither the secret nor the token.
 */
class TokenVerifierPropertiesTest {

  static final TestTokens.SigningKey RSA = TestTokens.rsa("rsa-1");
  static final TestTokens.SigningKey EC = TestTokens.ec("ec-1");
  static final TestTokens.EdDsaKey ED = TestTokens.ed25519("ed-1");

  /** Every kind of key at once, so random headers can reach every signature check. */
  static final TokenVerifier VERIFIER = new TokenVerifier(new AuthSettings(TestTokens.SECRET,
      AuthSettings.parseJwks(TestTokens.jwks(RSA, EC, ED,
          TestTokens.octKey("hs-1", "oct".getBytes(StandardCharsets.UTF_8))), "test"), true),
      TokenVerifierTest.CLOCK);

  @Property(tries = 2000)
  void randomBytesAreOnlyEverRejected(@ForAll byte[] bytes) {
    assertOnlyRejectedOrAccepted(new String(bytes, StandardCharsets.ISO_8859_1));
    assertOnlyRejectedOrAccepted(new String(bytes, StandardCharsets.UTF_8));
  }

  @Property(tries = 2000)
  void randomThreeSegmentStringsAreOnlyEverRejected(@ForAll("segment") String header,
      @ForAll("segment") String payload, @ForAll("segment") String signature) {
    assertOnlyRejectedOrAccepted(header + "." + payload + "." + signature);
  }

  @Property(tries = 2000)
  void wellFormedTokensWithRandomHeadersAndSignaturesAreOnlyEverRejected(
      @ForAll("headers") String headerJson, @ForAll("payloads") String payloadJson, @ForAll byte[] signature) {
    String token = Base64URL.encode(headerJson) + "." + Base64URL.encode(payloadJson) + "."
        + Base64URL.encode(signature);
    assertOnlyRejectedOrAccepted(token);
  }

  @Provide
  Arbitrary<String> segment() {
    Arbitrary<String> base64url = Arbitraries.strings().withChars(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_").ofMaxLength(80);
    Arbitrary<String> encodedJson = Arbitraries.of("{}", "[]", "null", "1", "\"s\"", "{\"alg\":\"HS256\"}",
        "{\"alg\":\"none\"}", "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", "{\"role\":\"anon\",\"exp\":9999999999}")
        .map(json -> Base64URL.encode(json).toString());
    return Arbitraries.oneOf(base64url, encodedJson, Arbitraries.strings().ofMaxLength(40));
  }

  @Provide
  Arbitrary<String> headers() {
    Arbitrary<String> alg = Arbitraries.of("HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384",
        "ES512", "EdDSA", "Ed25519", "Ed448", "PS256", "none", "", "x");
    Arbitrary<String> kid = Arbitraries.of("rsa-1", "ec-1", "ed-1", "hs-1", "unknown", "");
    return Combinators.combine(alg, kid, Arbitraries.of(true, false)).as((a, k, withKid) ->
        withKid ? "{\"alg\":\"" + a + "\",\"kid\":\"" + k + "\"}" : "{\"alg\":\"" + a + "\"}");
  }

  @Provide
  Arbitrary<String> payloads() {
    Arbitrary<String> exp = Arbitraries.of("1", "-1", "9999999999", "1e300", "-1e300", "\"x\"", "null", "[]",
        "99999999999999999999999", "1.5");
    Arbitrary<String> role = Arbitraries.of("\"anon\"", "1", "null", "{}");
    return Combinators.combine(exp, role).as((e, r) -> "{\"exp\":" + e + ",\"role\":" + r + "}");
  }

  private static void assertOnlyRejectedOrAccepted(String token) {
    try {
      VERIFIER.verify(token);
    } catch (TokenRejectedException e) {
      for (String text : new String[] {e.getMessage(), e.joinReason(), e.handshakeMessage()}) {
        assertThat(text).isNotBlank().doesNotContain(TestTokens.SECRET);
        if (token.length() >= 8) { // a tiny token such as "1" may well be a substring of a message
          assertThat(text).doesNotContain(token);
        }
      }
    }
  }
}
