package dev.slipstream.runtime.transport;

import dev.slipstream.runtime.auth.Claims;
import dev.slipstream.runtime.auth.TokenRejectedException;
import dev.slipstream.runtime.limits.LimitMetrics;
import dev.slipstream.runtime.phoenix.ChannelContext;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The door for WebSocket and SSE clients: the tenant's {@code maxClients}, and the API key (a
 * JWT in the {@code apikey} parameter or the {@code x-api-key} header, as realtime-js and
 * supabase-js send it; SSE clients may also use {@code Authorization: Bearer}). A refused client
 * gets the HTTP status and {@code {"error": ...}} body Supabase Realtime answers the upgrade with.
 */
final class ClientAdmission {

  static final String TOO_MANY_CLIENTS = "Too many connected users";
  static final String API_KEY_MISSING = "API key is missing";

  /** An admitted client: its token (null without one) and what it claims. */
  record Admitted(String token, Claims claims) {
  }

  private final ChannelContext context;
  private final AtomicInteger clients = new AtomicInteger();

  ClientAdmission(ChannelContext context) {
    this.context = context;
  }

  int clients() {
    return clients.get();
  }

  /** Admits the client (counted until its connection closes), or answers with the refusal and returns null. */
  Admitted admit(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
    String token = token(request, uri);
    Claims claims;
    if (context.verifier().required()) {
      if (token == null) {
        HttpResponses.sendJsonError(ctx, request, HttpResponseStatus.UNAUTHORIZED, API_KEY_MISSING);
        return null;
      }
      try {
        claims = context.verifier().verify(token);
      } catch (TokenRejectedException e) {
        HttpResponses.sendJsonError(ctx, request, HttpResponseStatus.valueOf(e.handshakeStatus()), e.handshakeMessage());
        return null;
      }
    } else {
      claims = Claims.anonymous();
    }
    if (clients.incrementAndGet() > context.limits().maxClients()) {
      clients.decrementAndGet();
      context.limitMetrics().rejected(LimitMetrics.Limit.MAX_CLIENTS);
      HttpResponses.sendJsonError(ctx, request, HttpResponseStatus.TOO_MANY_REQUESTS, TOO_MANY_CLIENTS);
      return null;
    }
    ctx.channel().closeFuture().addListener(f -> clients.decrementAndGet());
    return new Admitted(token, claims);
  }

  private static String token(FullHttpRequest request, QueryStringDecoder uri) {
    List<String> apikey = uri.parameters().get("apikey");
    if (apikey != null && !apikey.isEmpty() && !apikey.getFirst().isBlank()) {
      return apikey.getFirst();
    }
    String header = request.headers().get("x-api-key");
    if (header != null && !header.isBlank()) {
      return header.trim();
    }
    String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authorization.substring(7).trim();
    }
    return null;
  }
}
