package dev.slipstream.runtime.transport;

import dev.slipstream.runtime.fanout.FanOut;
import dev.slipstream.runtime.fanout.FanOutMetrics;
import dev.slipstream.runtime.phoenix.ChannelContext;
import dev.slipstream.runtime.phoenix.PhoenixSerializer;
import dev.slipstream.runtime.phoenix.PhoenixSocketHandler;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * The runtime's HTTP endpoints, by path: the WebSocket upgrade (Phoenix), SSE, health, readiness,
 * Prometheus metrics, and (in dev mode) the demo page. Each request is handled on the event loop
 * without blocking; a WebSocket upgrade re-shapes this channel's pipeline and hands the request on.
 */
@ChannelHandler.Sharable
final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {

  static final String WEBSOCKET_PATH = "/realtime/v1/websocket";

  private final FanOut fanOut;
  private final FanOutMetrics metrics;
  private final SseEndpoint sse;
  private final PrometheusMeterRegistry registry;
  private final BooleanSupplier ready;
  private final RealtimeServer.Settings settings;
  private final ChannelContext channels;
  private final ClientAdmission admission;

  HttpRouter(FanOut fanOut, ChannelContext channels, PrometheusMeterRegistry registry, BooleanSupplier ready,
      RealtimeServer.Settings settings) {
    this.fanOut = fanOut;
    this.channels = channels;
    this.metrics = channels.metrics();
    this.registry = registry;
    this.ready = ready;
    this.settings = settings;
    this.admission = new ClientAdmission(channels);
    this.sse = new SseEndpoint(fanOut, metrics, settings.clientBufferBytes(), settings.sseKeepAlive(), channels.access());
    registry.gauge("slipstream.clients", admission, ClientAdmission::clients);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    String path = uri.path();
    if (request.method().equals(HttpMethod.POST)) {
      post(ctx, request, path);
      return;
    }
    if (!request.method().equals(HttpMethod.GET)) {
      HttpResponses.sendText(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET is served here\n");
      return;
    }
    switch (path) {
      case WEBSOCKET_PATH -> upgrade(ctx, request, uri);
      case SseEndpoint.PATH -> {
        ClientAdmission.Admitted client = admission.admit(ctx, request, uri);
        if (client != null) {
          sse.open(ctx, request, client.claims());
        }
      }
      case "/healthz" -> HttpResponses.sendText(ctx, request, HttpResponseStatus.OK, "ok\n");
      case "/readyz" -> {
        boolean isReady = ready.getAsBoolean();
        HttpResponses.sendText(ctx, request, isReady ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
            isReady ? "ready\n" : "not streaming from the replication slot yet\n");
      }
      case "/metrics" -> HttpResponses.send(ctx, request, HttpResponseStatus.OK,
          "text/plain; version=0.0.4; charset=utf-8", registry.scrape().getBytes(StandardCharsets.UTF_8));
      case "/", "/index.html" -> {
        if (settings.demoPage() != null) {
          HttpResponses.send(ctx, request, HttpResponseStatus.OK, "text/html; charset=utf-8", settings.demoPage());
        } else {
          HttpResponses.sendText(ctx, request, HttpResponseStatus.NOT_FOUND, "not found\n");
        }
      }
      default -> HttpResponses.sendText(ctx, request, HttpResponseStatus.NOT_FOUND, "not found\n");
    }
  }

  private void post(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
    ExtraEndpoint endpoint = settings.extraEndpoints().stream().filter(e -> e.path().equals(path)).findFirst()
        .orElse(null);
    if (endpoint == null) {
      HttpResponses.sendText(ctx, request, HttpResponseStatus.NOT_FOUND, "not found\n");
      return;
    }
    String body = request.content().toString(StandardCharsets.UTF_8);
    request.retain();
    endpoint.handle(body).whenComplete((json, error) -> ctx.executor().execute(() -> {
      try {
        if (error != null) {
          Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
              ? error.getCause() : error;
          HttpResponses.sendJsonError(ctx, request, HttpResponseStatus.BAD_REQUEST, String.valueOf(cause.getMessage()));
        } else {
          HttpResponses.send(ctx, request, HttpResponseStatus.OK, "application/json", json.getBytes(StandardCharsets.UTF_8));
        }
      } finally {
        request.release();
      }
    }));
  }

  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
    PhoenixSerializer serializer;
    try {
      var vsn = uri.parameters().get("vsn");
      serializer = PhoenixSerializer.forVsn(vsn == null ? null : vsn.getFirst());
    } catch (IllegalArgumentException e) {
      HttpResponses.sendJsonError(ctx, request, HttpResponseStatus.BAD_REQUEST, e.getMessage());
      return;
    }
    ClientAdmission.Admitted client = admission.admit(ctx, request, uri);
    if (client == null) {
      return;
    }
    ctx.pipeline().addAfter(ctx.name(), "websocket", new WebSocketServerProtocolHandler(
        WebSocketServerProtocolConfig.newBuilder()
            .websocketPath(WEBSOCKET_PATH)
            .checkStartsWith(true)
            .maxFramePayloadLength(settings.maxFrameBytes())
            .build()));
    ctx.pipeline().addAfter("websocket", "phoenix",
        new PhoenixSocketHandler(serializer, channels, client.token(), client.claims()));
    ctx.fireChannelRead(request.retain());
    ctx.pipeline().remove(this);
  }
}
