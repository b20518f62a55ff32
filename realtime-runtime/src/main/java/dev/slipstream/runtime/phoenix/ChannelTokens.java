package dev.slipstream.runtime.phoenix;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipstream.runtime.auth.Claims;
import dev.slipstream.runtime.auth.TokenRejectedException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The token lifecycle of one socket's channels: the socket's own {@code apikey}, verified at the
 * upgrade (what a join without an {@code access_token} is authorised by); a join's or refresh's
 * token checked; an {@code access_token} refresh re-applying the claim rules (row rules to the subscriptions,
 * channel rules to a private channel, which ends when they refuse the new token); and the channel
 * ended, as Supabase ends it, when its token expires or a refresh is refused.
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

  /** An {@code access_token} message: a new token for the channel, or its end if the token is refused. */
  void refresh(PhoenixSocketHandler socket, ChannelMembership member, JsonNode value) {
    if (value == null || !value.isTextual() || !usable(value.asText()) || value.asText().equals(member.token())) {
      return; // Supabase ignores these, and does not reply to access_token at all
    }
    try {
      Claims claims = authorize(value.asText());
      String refusal = member.privateChannel() ? context.channelRules().refusal(member.subTopic(), claims) : null;
      if (refusal != null) {
        // The new token may not read this private channel: it ends as a refused token ends it.
        socket.shutdown(member, refusal);
        return;
      }
      member.reauthorize(value.asText(), claims, context.index(), context.access());
      scheduleExpiry(socket, member);
    } catch (TokenRejectedException e) {
      socket.shutdown(member, e.getMessage());
    }
  }

  /** When the channel's token expires, the channel ends as Supabase ends it. */
  void scheduleExpiry(PhoenixSocketHandler socket, ChannelMembership member) {
    Instant expiresAt = member.claims().expiresAt();
    if (expiresAt == null || !context.verifier().required()) {
      member.cancelExpiry();
      return;
    }
    long delayMillis = Math.max(0, Duration.between(context.clock().instant(), expiresAt).toMillis());
    member.expiry(member.connection().channel().eventLoop().schedule(() -> {
      long seconds = Math.max(0, Duration.between(expiresAt, context.clock().instant()).toSeconds());
      socket.shutdown(member, "Token has expired " + seconds + " seconds ago");
    }, delayMillis, TimeUnit.MILLISECONDS));
  }
}
