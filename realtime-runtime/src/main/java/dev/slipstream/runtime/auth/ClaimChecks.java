package dev.slipstream.runtime.auth;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The time and presence rules for a token's claims, applied after its signature verified (the order
 * Supabase applies them in, so a token that is both forged and expired is reported as forged).
 *
 * <p>Times are compared in whole seconds, as Supabase compares them ({@code Joken.current_time()}):
 * <ul>
 *   <li>{@code exp} must be after the current second, with no leeway. Supabase allows none either,
 *       and a leeway would accept tokens Supabase refuses and change the seconds in its
 *       "Token has expired N seconds ago"; realtime-js refreshes its token ahead of expiry, so the
 *       strict rule costs well-behaved clients nothing;
 *   <li>{@code nbf}, when present, may be up to {@link #NOT_BEFORE_LEEWAY_SECONDS} ahead. Supabase
 *       ignores {@code nbf}, so any check is stricter than it; the leeway (nimbus's default clock
 *       skew) keeps a token minted by an issuer whose clock runs slightly fast usable at once;
 *   <li>{@code iat}, when present, must be a number (Supabase's rule; it checks no more);
 *   <li>{@code role} (a string) and {@code exp} (a number) are required.
 * </ul>
 */
final class ClaimChecks {

  static final long NOT_BEFORE_LEEWAY_SECONDS = 60;

  private ClaimChecks() {
  }

  static Claims check(Map<String, Object> payload, long nowSeconds) throws TokenRejectedException {
    return check(payload, nowSeconds, null, null);
  }

  /**
   * As above, and when {@code issuer} / {@code audience} are not {@code null}, {@code iss} must equal
   * the issuer and {@code aud} must be the audience or a list holding it (RFC 7519 4.1.1, 4.1.3),
   * checked after the times and before the presence of {@code role} and {@code exp}.
   */
  static Claims check(Map<String, Object> payload, long nowSeconds, String issuer, String audience)
      throws TokenRejectedException {
    Object exp = payload.get("exp");
    if (exp instanceof Number number && !isAfter(number, nowSeconds)) {
      throw TokenRejectedException.expired(secondsBetween(number, nowSeconds));
    }
    if (payload.containsKey("iat") && !(payload.get("iat") instanceof Number)) {
      throw new TokenRejectedException(Rejection.MALFORMED);
    }
    if (payload.containsKey("nbf")) {
      if (!(payload.get("nbf") instanceof Number notBefore)) {
        throw new TokenRejectedException(Rejection.MALFORMED);
      }
      if (isAfter(notBefore, saturatedAdd(nowSeconds, NOT_BEFORE_LEEWAY_SECONDS))) {
        throw TokenRejectedException.notYetValid(Math.max(1, -secondsBetween(notBefore, nowSeconds)));
      }
    }
    if (issuer != null && !issuer.equals(payload.get("iss"))) {
      throw new TokenRejectedException(Rejection.WRONG_ISSUER);
    }
    if (audience != null && !namesAudience(payload.get("aud"), audience)) {
      throw new TokenRejectedException(Rejection.WRONG_AUDIENCE);
    }
    if (!(exp instanceof Number expiry) || !(payload.get("role") instanceof String role)) {
      throw new TokenRejectedException(Rejection.MISSING_CLAIMS);
    }
    return Claims.of(payload, role, toInstant(expiry));
  }

  private static boolean namesAudience(Object aud, String audience) {
    return aud instanceof String single ? single.equals(audience)
        : aud instanceof List<?> list && list.contains(audience);
  }

  /** Whether the JSON number {@code time} (seconds since the epoch) is after {@code seconds}. */
  private static boolean isAfter(Number time, long seconds) {
    return time instanceof Long || time instanceof Integer ? time.longValue() > seconds
        : time.doubleValue() > seconds; // NaN and infinities cannot come from JSON
  }

  /** {@code now - time} in whole seconds, saturated rather than overflowing for absurd values. */
  private static long secondsBetween(Number time, long now) {
    if (time instanceof Long || time instanceof Integer) {
      long t = time.longValue();
      long difference = now - t;
      return ((now ^ t) & (now ^ difference)) < 0 ? (t < 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : difference;
    }
    return (long) (now - time.doubleValue()); // the cast truncates toward zero and saturates
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  private static Instant toInstant(Number time) {
    long min = Instant.MIN.getEpochSecond();
    long max = Instant.MAX.getEpochSecond();
    if (time instanceof Long || time instanceof Integer) {
      long whole = time.longValue();
      return whole > max ? Instant.MAX : whole < min ? Instant.MIN : Instant.ofEpochSecond(whole);
    }
    double seconds = time.doubleValue();
    if (seconds >= max) {
      return Instant.MAX;
    }
    if (seconds <= min) {
      return Instant.MIN;
    }
    double whole = Math.floor(seconds);
    return Instant.ofEpochSecond((long) whole, (long) ((seconds - whole) * 1e9));
  }
}
