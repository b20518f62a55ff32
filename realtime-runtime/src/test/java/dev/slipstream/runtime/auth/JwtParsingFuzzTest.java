package dev.slipstream.runtime.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.slipstream.runtime.fuzz.FuzzCases;
import dev.slipstream.runtime.fuzz.FuzzCheck;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing of JWT parsing and verification ({@link TokenVerifier#verify}) with an
 * HS256 secret and a JWKS of an RSA, an EC and an {@code oct} key: whatever the text, the answer
 * is {@link Claims} or {@link TokenRejectedException} (the only exception the handshake and the
 * join handle), within a small time and allocation budget, and a refusal never quotes the token.
 * The first input byte picks the form: the rest as the token; or header JSON, NUL, payload JSON,
 * NUL, signature, base64url-encoded into a token; or header and payload JSON signed with the
 * secret, so the fuzzer reaches the claim checks. Long run: {@code bin/fuzz jwt}.
 */
class JwtParsingFuzzTest {

  private static final String SECRET = TestTokens.SECRET;
  private static final AuthSettings SETTINGS = new AuthSettings(SECRET, AuthSettings.parseJwks(TestTokens.jwks(
      TestTokens.rsa("rsa-1"), TestTokens.ec("ec-1"), TestTokens.octKey("oct-1", new byte[] {1, 2, 3})), "the JWKS"),
      true);
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-03T12:00:00Z"), ZoneOffset.UTC);
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  @FuzzTest
  void verify(byte[] input) {
    FuzzCheck.withinBudget(input, () -> verifyToken(input));
  }

  @Test
  void briefRun() {
    assertThat(FuzzCases.run(getClass(), "verify", FuzzCases.BRIEF_CASES, this::verify))
        .isGreaterThanOrEqualTo(FuzzCases.BRIEF_CASES);
  }

  static void verifyToken(byte[] input) {
    String token = token(input);
    // A fresh verifier: the cache of verified tokens must not carry one input's outcome to the next.
    TokenVerifier verifier = new TokenVerifier(SETTINGS, CLOCK);
    try {
      Claims claims = verifier.verify(token);
      assertThat(claims.role()).isNotNull();
      claims.claim("sub");
      claims.claim("app_metadata.tenant");
      claims.expiresAt();
      claims.toString();
    } catch (TokenRejectedException refused) {
      assertThat(refused.getMessage()).isNotBlank();
      assertThat(refused.joinReason()).isNotBlank();
      if (token != null && token.length() >= 16) {
        assertThat(refused.getMessage()).doesNotContain(token);
      }
    }
  }

  static String token(byte[] input) {
    if (input.length == 0) {
      return null;
    }
    String rest = new String(input, 1, input.length - 1, StandardCharsets.UTF_8);
    int form = Byte.toUnsignedInt(input[0]) % 3;
    if (form == 0) {
      return rest;
    }
    String[] parts = rest.split("\0", 3);
    String header = encode(parts[0]);
    String payload = encode(parts.length > 1 ? parts[1] : "");
    if (form == 1) {
      return header + "." + payload + "." + (parts.length > 2 ? parts[2] : "");
    }
    return header + "." + payload + "." + hs256(header + "." + payload);
  }

  private static String encode(String json) {
    return BASE64URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String hs256(String signingInput) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return BASE64URL.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
