package dev.slipstream.runtime.phoenix;

import dev.slipstream.runtime.admission.ClientAdmission;
import dev.slipstream.runtime.auth.Claims;
import dev.slipstream.runtime.transport.HttpEndpoint;
import dev.slipstream.runtime.transport.HttpResponses;
import dev.slipstream.runtime.transport.RequestUri;
import dev.slipstream.runtime.transport.WebSocketStage;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * {@code GET /realtime/v1/websocket?vsn=2.0.0&apikey=...}: Phoenix Channels over a WebSocket, as
 * realtime-js opens it. The serializer comes from {@code vsn}; the client is admitted
 * ({@link ClientAdmission}: its API key, the tenant's {@code maxClients}) before the upgrade, so a
 * refusal is the HTTP status and body Supabase answers with.
 */
public final class PhoenixEndpoint implements HttpEndpoint {

  public static final String PATH = "/realtime/v1/websocket";

  private final ChannelContext channels;
  private final ClientAdmission admission;
  private final WebSocketStage webSocket;
  /** What every socket shares: no state of their own, so one each for the server. */
  private final ChannelBroadcasts broadcasts;
  private final ChannelPresence presence;

  public PhoenixEndpoint(ChannelContext channels, ClientAdmission admission, WebSocketStage webSocket) {
    this.channels = channels;
    this.admission = admission;
    this.webSocket = webSocket;
    this.broadcasts = new ChannelBroadcasts(channels);
    this.presence = new ChannelPresence(channels, broadcasts);
  }

  @Override
  public void handle(ChannelHandlerContext ctx, FullHttpRequest request, RequestUri uri) {
    PhoenixSerializer serializer;
    try {
      serializer = PhoenixSerializer.forVsn(uri.parameter("vsn", null));
    } catch (IllegalArgumentException e) {
      HttpResponses.sendJsonError(ctx, request, HttpResponseStatus.BAD_REQUEST, e.getMessage());
      return;
    }
    Claims claims = admission.authenticate(ctx, request, uri);
    if (claims == null || !admission.admit(ctx, request)) {
      return;
    }
    webSocket.upgrade(ctx, request, PATH,
        new PhoenixSocketHandler(serializer, channels, broadcasts, presence, ClientAdmission.token(request, uri),
            claims));
  }
}
