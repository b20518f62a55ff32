package dev.slipstream.runtime.auth;

import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens that verified recently, so the same token is not verified again: realtime-js sends one
 * access token with every channel join and on every reconnect, and an ES256 signature costs the
 * JDK around a millisecond of event-loop time on a small machine (HS256 about 20 µs, RS256 50 µs).
 *
 * <p>Keyed by the whole token text, signature included, so a hit is exactly the token that
 * verified; keys are fixed at startup, so a verified token stays verified. Only time can change
 * the answer, so an entry that has expired is dropped and the token verified afresh (which then
 * produces the exact expiry message). Bounded crudely but safely: when full, it is emptied.
 */
final class VerifiedTokens {

  static final int CAPACITY = 4096;

  private final ConcurrentHashMap<String, Claims> byToken = new ConcurrentHashMap<>();

  /** The claims of {@code token} if it verified before and has not expired at {@code now}. */
  Claims lookup(String token, Instant now) {
    Claims claims = byToken.get(token);
    if (claims != null && claims.isExpiredAt(now)) {
      byToken.remove(token, claims);
      return null;
    }
    return claims;
  }

  void remember(String token, Claims claims) {
    if (byToken.size() >= CAPACITY) {
      byToken.clear();
    }
    byToken.put(token, claims);
  }

  int size() {
    return byToken.size();
  }
}
