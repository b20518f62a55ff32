package dev.slipstream.runtime.admission;

import dev.slipstream.runtime.auth.Claims;
import dev.slipstream.runtime.auth.TokenRejectedException;
import dev.slipstream.runtime.auth.TokenVerifier;
import dev.slipstream.runtime.limits.Limit;
import dev.slipstream.runtime.limits.LimitMetrics;
import dev.slipstream.runtime.limits.TenantLimits;
import dev.slipstream.runtime.transport.HttpResponses;
import dev.slipstream.runtime.transport.RequestUri;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The door for WebSocket and SSE clients: the API key (a JWT in the {@code apikey} parameter or
 * the {@code x-api-key} header, as realtime-js and supabase-js send it; SSE clients may also use
 * {@code Authorization: Bearer}), then the tenant's {@code maxClients}. A refused client gets the
 * HTTP status and {@code {"error": ...}} body Supabase Realtime answers the upgrade with.
 */
public final class ClientAdmission {

  static final String TOO_MANY_CLIENTS = "Too many connected users";
  static final String API_KEY_MISSING = "API key is missing";

  private final TokenVerifier verifier;
  private final TenantLimits limits;
  private final LimitMetrics limitMetrics;
  private final AtomicInteger clients = new AtomicInteger();

  public ClientAdmission(TokenVerifier verifier, TenantLimits limits, LimitMetrics limitMetrics) {
    this.verifier = verifier;
    this.limits = limits;
    this.limitMetrics = limitMetrics;
  }

  /** Admitted WebSocket and SSE clients connected now. */
  public int clients() {
    return clients.get();
  }

  /** What the client's API key claims (anonymous when tokens are not required), or null after answering 401. */
  public Claims authenticate(ChannelHandlerContext ctx, FullHttpRequest request, RequestUri uri) {
    if (!verifier.required()) {
      return Claims.anonymous();
    }
    String token = token(request, uri);
    if (token == null) {
      HttpResponses.sendJsonError(ctx, request, HttpResponseStatus.UNAUTHORIZED, API_KEY_MISSING);
      return null;
    }
    try {
      return verifier.verify(token);
    } catch (TokenRejectedException e) {
      HttpResponses.sendJsonError(ctx, request, HttpResponseStatus.valueOf(e.handshakeStatus()), e.handshakeMessage());
      return null;
    }
  }

  /** Counts the client until its connection closes, or answers 429 and returns false. */
  public boolean admit(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (clients.incrementAndGet() > limits.maxClients()) {
      clients.decrementAndGet();
      limitMetrics.rejected(Limit.MAX_CLIENTS);
      HttpResponses.sendJsonError(ctx, request, HttpResponseStatus.TOO_MANY_REQUESTS, TOO_MANY_CLIENTS);
      return false;
    }
    ctx.channel().closeFuture().addListener(f -> clients.decrementAndGet());
    return true;
  }

  /** The client's token, or null without one. */
  public static String token(FullHttpRequest request, RequestUri uri) {
    String apikey = uri.parameter("apikey", null);
    if (apikey != null && !apikey.isBlank()) {
      return apikey;
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
