package dev.slipstream.runtime.phoenix;

import dev.slipstream.runtime.auth.Claims;
import dev.slipstream.runtime.auth.TokenRejectedException;

/**
 * The tokens of one socket: its own {@code apikey}, verified at the upgrade (what a join without
 * an {@code access_token} is authorised by), and how a join's or refresh's token is checked.
 */
final class ChannelTokens {

  private final ChannelContext context;
  private final String socketToken;
  private final Claims socketClaims;

  ChannelTokens(ChannelContext context, String socketToken, Claims socketClaims) {
    this.context = context;
    this.socketToken = socketToken;
    this.socketClaims = socketClaims;
  }

  /** Tokens Supabase ignores in a join or refresh: none, and its opaque {@code sb_} API keys. */
  static boolean usable(String token) {
    return token != null && !token.isEmpty() && !token.startsWith("sb_");
  }

  /** The token a join is authorised by: its own access_token when usable, else the socket's. */
  String forJoin(String accessToken) {
    return usable(accessToken) ? accessToken : socketToken;
  }

  Claims authorize(String token) throws TokenRejectedException {
    if (!context.verifier().required()) {
      return Claims.anonymous();
    }
    if (token != null && token.equals(socketToken) && socketClaims != null) {
      if (socketClaims.isExpiredAt(context.clock().instant())) {
        return context.verifier().verify(token); // throws with the expired message and its seconds
      }
      return socketClaims;
    }
    return context.verifier().verify(token == null ? "" : token);
  }
}
