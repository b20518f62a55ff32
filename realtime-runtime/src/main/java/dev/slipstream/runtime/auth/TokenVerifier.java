package dev.slipstream.runtime.auth;

import com.nimbusds.jose.JOSEObject;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Verifies the JWT a client presents and returns its {@link Claims}, or refuses it with the reason
 * Supabase Realtime would give ({@link TokenRejectedException}).
 *
 * <p>One instance is shared by every Netty event loop: it is immutable, holds every key already
 * turned into a verifier, and does no I/O and takes no lock, so {@link #verify} runs on the loop.
 *
 * <p>The checks, in Supabase's order ({@code lib/realtime_web/channels/auth/jwt_verification.ex}
 * and {@code channels_authorization.ex}):
 * <ol>
 *   <li>the token, with whitespace removed as Supabase's {@code clean_token/1} does, is a compact
 *       JWS whose header and payload are JSON objects, otherwise {@link Rejection#MALFORMED};
 *   <li>its {@code alg} and {@code kid} select a configured key, otherwise
 *       {@link Rejection#NO_SIGNER}: this refuses {@code alg: none}, unknown algorithms and an HS
 *       token meant to be checked against an RSA/EC public key (see {@link VerificationKeys});
 *   <li>the signature verifies with that key, otherwise {@link Rejection#BAD_SIGNATURE};
 *   <li>the claims pass {@link ClaimChecks}: not expired, not before {@code nbf}, {@code iss} and
 *       {@code aud} as configured (when they are), {@code role} and {@code exp} present.
 * </ol>
 * Tokens with a {@code crit} header are refused as malformed: none of the extensions it could
 * announce is understood here, and RFC 7515 requires refusing them.
 *
 * <p>A token that verified is remembered ({@link VerifiedTokens}) until it expires, so joining
 * many channels with one token verifies its signature once.
 */
public final class TokenVerifier {

  private final boolean required;
  private final VerificationKeys keys;
  private final String issuer;
  private final String audience;
  private final Clock clock;
  private final VerifiedTokens verified = new VerifiedTokens();

  /** {@code clock} is "now" for {@code exp} and {@code nbf}; tests pass a fixed one. */
  public TokenVerifier(AuthSettings settings, Clock clock) {
    Objects.requireNonNull(settings, "settings");
    this.required = settings.required();
    this.keys = required ? new VerificationKeys(settings) : null;
    this.issuer = settings.issuer();
    this.audience = settings.audience();
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A verifier on the system clock. */
  public static TokenVerifier of(AuthSettings settings) {
    return new TokenVerifier(settings, Clock.systemUTC());
  }

  /** How many verified tokens are remembered now (for tests and metrics). */
  int rememberedTokens() {
    return verified.size();
  }

  /**
   * Whether a token is required. When not (dev mode), {@link #verify} ignores the token and answers
   * {@link Claims#anonymous()}, and a connection without a token is welcome.
   */
  public boolean required() {
    return required;
  }

  /**
   * The claims of {@code token}, or a {@link TokenRejectedException} saying why not. Never throws
   * anything else, whatever the input.
   *
   * @param token the JWT as the client sent it (already URL-decoded), or {@code null} when the
   *     client sent none ({@link Rejection#MISSING_TOKEN})
   */
  public Claims verify(String token) throws TokenRejectedException {
    if (!required) {
      return Claims.anonymous();
    }
    if (token == null) {
      throw new TokenRejectedException(Rejection.MISSING_TOKEN);
    }
    String compact = withoutWhitespace(token);
    long nowSeconds = clock.instant().getEpochSecond();
    Claims known = verified.lookup(compact, Instant.ofEpochSecond(nowSeconds));
    if (known != null) {
      return known;
    }
    Claims claims = verifyAfresh(compact, nowSeconds);
    verified.remember(compact, claims);
    return claims;
  }

  private Claims verifyAfresh(String token, long nowSeconds) throws TokenRejectedException {
    JWT jwt = parse(token);
    Map<String, Object> payload = payloadOf(jwt);
    if (jwt instanceof PlainJWT) {
      throw new TokenRejectedException(Rejection.NO_SIGNER); // alg: none has no signer, as in Supabase
    }
    if (!(jwt instanceof SignedJWT signed)) {
      throw new TokenRejectedException(Rejection.MALFORMED); // an encrypted JWT (JWE)
    }
    JWSHeader header = signed.getHeader();
    if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
      throw new TokenRejectedException(Rejection.MALFORMED);
    }
    SignatureCheck check = keys.select(header);
    if (!check.verifies(header, signed.getSigningInput(), signed.getSignature())) {
      throw new TokenRejectedException(Rejection.BAD_SIGNATURE);
    }
    return ClaimChecks.check(payload, nowSeconds, issuer, audience);
  }

  private static JWT parse(String token) throws TokenRejectedException {
    try {
      return JWTParser.parse(token);
    } catch (ParseException | RuntimeException e) {
      // RuntimeException too: the text is attacker input, and a parser's unchecked surprise on some
      // odd byte sequence must still come out as "not a valid JWT", never as a failed event loop task
      throw new TokenRejectedException(Rejection.MALFORMED);
    }
  }

  private static Map<String, Object> payloadOf(JWT jwt) throws TokenRejectedException {
    Map<String, Object> payload = null;
    try {
      String json = jwt instanceof JOSEObject object ? object.getPayload().toString() : "";
      // nimbus's JSON parser reads "[]" as an empty object; only text starting with '{' is an object
      if (json.strip().startsWith("{")) {
        payload = JSONObjectUtils.parse(json);
      }
    } catch (ParseException | RuntimeException e) {
      payload = null;
    }
    if (payload == null) {
      throw new TokenRejectedException(Rejection.MALFORMED);
    }
    return payload;
  }

  /** Supabase's {@code clean_token/1} removes all whitespace (tokens pasted across lines). */
  private static String withoutWhitespace(String token) {
    for (int i = 0; i < token.length(); i++) {
      if (Character.isWhitespace(token.charAt(i))) {
        StringBuilder cleaned = new StringBuilder(token.length());
        token.codePoints().filter(c -> !Character.isWhitespace(c)).forEach(cleaned::appendCodePoint);
        return cleaned.toString();
      }
    }
    return token;
  }
}
