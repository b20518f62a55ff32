package dev.slipstream.runtime.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClaimsTest {

  static final Instant EXP = Instant.parse("2030-01-01T00:00:00Z");

  /** Claims as the verifier builds them, from a payload decoded by nimbus (through a real token). */
  static Claims verified(Map<String, Object> extra) throws TokenRejectedException {
    Map<String, Object> claims = TestTokens.claims("authenticated", EXP);
    claims.putAll(extra);
    return new TokenVerifier(AuthSettings.withSecret(TestTokens.SECRET), TokenVerifierTest.CLOCK)
        .verify(TestTokens.hs256(TestTokens.SECRET, claims));
  }

  @Test
  void stringsAreReturnedAsTheyAre() throws Exception {
    Claims claims = verified(Map.of("sub", "6f1c9d2e-7a3b-4c5d-9e8f-0a1b2c3d4e5f", "email", "a@b.c", "empty", ""));

    assertThat(claims.claim("sub")).isEqualTo("6f1c9d2e-7a3b-4c5d-9e8f-0a1b2c3d4e5f");
    assertThat(claims.claim("email")).isEqualTo("a@b.c");
    assertThat(claims.claim("empty")).isEmpty();
    assertThat(claims.claim("role")).isEqualTo("authenticated");
  }

  @Test
  void wholeNumbersPrintLikeAnIntegerColumn() throws Exception {
    Claims claims = verified(Map.of("int", 42, "negative", -7, "whole_double", 42.0, "exponent", 4.2e1,
        "big", 9007199254740993L, "max", Long.MAX_VALUE, "zero", -0.0));

    assertThat(claims.claim("int")).isEqualTo("42");
    assertThat(claims.claim("negative")).isEqualTo("-7");
    assertThat(claims.claim("whole_double")).isEqualTo("42");
    assertThat(claims.claim("exponent")).isEqualTo("42");
    assertThat(claims.claim("big")).isEqualTo("9007199254740993"); // beyond 2^53 yet exact: parsed as a long
    assertThat(claims.claim("max")).isEqualTo("9223372036854775807");
    assertThat(claims.claim("zero")).isEqualTo("0");
    assertThat(claims.claim("exp")).isEqualTo(Long.toString(EXP.getEpochSecond()));
  }

  @Test
  void fractionsPrintInPlainDecimal() throws Exception {
    Claims claims = verified(Map.of("half", 1.5, "small", 0.0001, "tiny", 1e-7, "neg", -2.25));

    assertThat(claims.claim("half")).isEqualTo("1.5");
    assertThat(claims.claim("small")).isEqualTo("0.0001");
    assertThat(claims.claim("tiny")).isEqualTo("0.0000001");
    assertThat(claims.claim("neg")).isEqualTo("-2.25");
  }

  @Test
  void booleansPrintAsJsonDoes() throws Exception {
    Claims claims = verified(Map.of("yes", true, "no", false));

    assertThat(claims.claim("yes")).isEqualTo("true");
    assertThat(claims.claim("no")).isEqualTo("false");
  }

  @Test
  void nullsObjectsArraysAndAbsentClaimsHaveNoText() throws Exception {
    Map<String, Object> extra = new HashMap<>();
    extra.put("nothing", null);
    extra.put("object", Map.of("a", 1));
    extra.put("array", List.of(1, 2));
    Claims claims = verified(extra);

    assertThat(claims.claim("nothing")).isNull();
    assertThat(claims.claim("object")).isNull();
    assertThat(claims.claim("array")).isNull();
    assertThat(claims.claim("absent")).isNull();
  }

  @Test
  void dottedPathsReadNestedObjects() throws Exception {
    Claims claims = verified(Map.of(
        "app_metadata", Map.of("tenant_id", "acme", "plan", Map.of("seats", 25), "admin", true),
        "user_metadata", Map.of("tags", List.of("a"))));

    assertThat(claims.claim("app_metadata.tenant_id")).isEqualTo("acme");
    assertThat(claims.claim("app_metadata.plan.seats")).isEqualTo("25");
    assertThat(claims.claim("app_metadata.admin")).isEqualTo("true");
    assertThat(claims.claim("app_metadata.plan")).isNull();
    assertThat(claims.claim("app_metadata.missing")).isNull();
    assertThat(claims.claim("app_metadata.tenant_id.deeper")).isNull();
    assertThat(claims.claim("user_metadata.tags.0")).isNull(); // arrays are not indexed
    assertThat(claims.claim("role.length")).isNull();
    assertThat(claims.claim("app_metadata.")).isNull();
    assertThat(claims.claim(".")).isNull();
  }

  @Test
  void topLevelNamesWithDotsWinOverPaths() throws Exception {
    Claims claims = verified(Map.of(
        "https://example.com/tenant", "namespaced",
        "a.b", "flat",
        "a", Map.of("b", "nested")));

    assertThat(claims.claim("https://example.com/tenant")).isEqualTo("namespaced");
    assertThat(claims.claim("a.b")).isEqualTo("flat");
  }

  @Test
  void subjectIsTheSubClaimWhenAString() throws Exception {
    assertThat(verified(Map.of("sub", "u1")).subject()).isEqualTo("u1");
    assertThat(verified(Map.of()).subject()).isNull();
    assertThat(verified(Map.of("sub", 5)).subject()).isNull();
  }

  @Test
  void claimsAreImmutableCopies() {
    Map<String, Object> nested = new LinkedHashMap<>(Map.of("tenant_id", "acme"));
    List<Object> list = new ArrayList<>(Arrays.asList("x"));
    Map<String, Object> payload = new LinkedHashMap<>(Map.of("app_metadata", nested, "list", list));
    Claims claims = Claims.of(payload, "authenticated", EXP);

    nested.put("tenant_id", "evil");
    payload.put("role", "service_role");

    assertThat(claims.claim("app_metadata.tenant_id")).isEqualTo("acme");
    assertThat(claims.claim("role")).isNull();
    assertThat(claims.role()).isEqualTo("authenticated");
  }

  @Test
  void testTokensBuildClaimsDirectly() {
    Claims claims = TestTokens.claimsOf("authenticated", Map.of("sub", "u1", "app_metadata", Map.of("org", 7)));

    assertThat(claims.role()).isEqualTo("authenticated");
    assertThat(claims.subject()).isEqualTo("u1");
    assertThat(claims.claim("app_metadata.org")).isEqualTo("7");
    assertThat(claims.isExpiredAt(Instant.now())).isFalse();
  }

  @Test
  void expiryIsComparedLikeSupabase() {
    Claims claims = Claims.of(Map.of(), "anon", EXP);

    assertThat(claims.isExpiredAt(EXP.minusMillis(1))).isFalse();
    assertThat(claims.isExpiredAt(EXP)).isTrue();
  }

  @Test
  void toStringShowsOnlyRoleSubjectAndExpiry() {
    Claims claims = Claims.of(Map.of("sub", "u1", "email", "private@example.com"), "authenticated", EXP);

    assertThat(claims.toString()).contains("authenticated", "u1", "2030").doesNotContain("private@example.com");
  }

  @Test
  void equalClaimsAreEqual() {
    assertThat(Claims.of(Map.of("a", 1L), "r", EXP)).isEqualTo(Claims.of(Map.of("a", 1L), "r", EXP))
        .hasSameHashCodeAs(Claims.of(Map.of("a", 1L), "r", EXP))
        .isNotEqualTo(Claims.of(Map.of("a", 2L), "r", EXP));
  }
}
