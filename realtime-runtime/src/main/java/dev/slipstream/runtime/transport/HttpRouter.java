package dev.slipstream.runtime.transport;

import dev.slipstream.runtime.auth.Claims;
import dev.slipstream.runtime.fanout.FanOut;
import dev.slipstream.runtime.phoenix.ChannelContext;
import dev.slipstream.runtime.phoenix.PhoenixSerializer;
import dev.slipstream.runtime.phoenix.PhoenixSocketHandler;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The runtime's HTTP endpoints, by path: the WebSocket upgrade (Phoenix), SSE, health, readiness,
 * Prometheus metrics, and (in dev mode) the demo page. Each request is handled on the event loop
 * without blocking. A request the codec could not read whole gets its status at once (414 for a
 * request line over 4,096 bytes, 431 for headers over 8 KiB, 400 otherwise) and the connection is
 * closed; so does a query string with a malformed percent-escape (400), before anything reads it.
 */
@ChannelHandler.Sharable
final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {

  static final String WEBSOCKET_PATH = "/realtime/v1/websocket";

  private final SseEndpoint sse;
  private final PrometheusMeterRegistry registry;
  private final BooleanSupplier ready;
  private final RealtimeServer.Settings settings;
  private final ChannelContext channels;
  private final ClientAdmission admission;
  private final WebSocketStage webSocket;

  HttpRouter(FanOut fanOut, ChannelContext channels, PrometheusMeterRegistry registry, BooleanSupplier ready,
      RealtimeServer.Settings settings, WebSocketStage webSocket) {
    this.channels = channels;
    this.registry = registry;
    this.ready = ready;
    this.settings = settings;
    this.webSocket = webSocket;
    this.admission = new ClientAdmission(channels);
    this.sse = new SseEndpoint(fanOut, channels, settings.sseKeepAlive());
    registry.gauge("slipstream.clients", admission, ClientAdmission::clients);
  }

  /** A request whose URI decoded cleanly: its path and query parameters. */
  record Request(String path, Map<String, List<String>> parameters) {

    String parameter(String name, String fallback) {
      List<String> values = parameters.get(name);
      return values == null || values.isEmpty() ? fallback : values.getFirst();
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (request.decoderResult().isFailure()) {
      refuseUnreadable(ctx, request, request.decoderResult());
      return;
    }
    Request parsed;
    try {
      QueryStringDecoder uri = new QueryStringDecoder(request.uri());
      parsed = new Request(uri.path(), uri.parameters());
    } catch (IllegalArgumentException e) {
      // The message quotes the URI, apikey included: it goes nowhere.
      HttpResponses.sendJsonErrorAndClose(ctx, HttpResponseStatus.BAD_REQUEST,
          "malformed request URI: a percent-escape is not %XX with two hex digits, or not UTF-8");
      return;
    }
    if (request.method().equals(HttpMethod.POST)) {
      post(ctx, request, parsed.path());
      return;
    }
    if (!request.method().equals(HttpMethod.GET)) {
      HttpResponses.sendText(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET is served here\n");
      return;
    }
    switch (parsed.path()) {
      case WEBSOCKET_PATH -> upgrade(ctx, request, parsed);
      case SseEndpoint.PATH -> openSse(ctx, request, parsed);
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

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ClientErrors.caught(ctx, cause);
  }

  /** The codec gave up on the request: it says why, and the connection cannot be read further. */
  private static void refuseUnreadable(ChannelHandlerContext ctx, FullHttpRequest request, DecoderResult result) {
    Throwable cause = result.cause();
    if (cause instanceof TooLongHttpLineException) {
      HttpResponses.sendJsonErrorAndClose(ctx, HttpResponseStatus.REQUEST_URI_TOO_LONG,
          "request line longer than " + ClientPipeline.MAX_REQUEST_LINE + " bytes");
    } else if (cause instanceof TooLongHttpHeaderException) {
      HttpResponses.sendJsonErrorAndClose(ctx, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
          "request headers larger than " + ClientPipeline.MAX_HEADER_BYTES + " bytes");
    } else {
      HttpResponses.sendJsonErrorAndClose(ctx, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
    }
  }

  private void openSse(ChannelHandlerContext ctx, FullHttpRequest request, Request parsed) {
    Claims claims = admission.authenticate(ctx, request, parsed);
    if (claims == null) {
      return;
    }
    SseEndpoint.Stream stream = sse.parse(ctx, request, parsed, claims);
    if (stream == null || !admission.admit(ctx, request)) {
      return;
    }
    ClientConnection.of(ctx.channel()).clearDeadline(); // a stream: the client sends nothing more
    sse.open(ctx, stream);
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

  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, Request parsed) {
    PhoenixSerializer serializer;
    try {
      serializer = PhoenixSerializer.forVsn(parsed.parameter("vsn", null));
    } catch (IllegalArgumentException e) {
      HttpResponses.sendJsonError(ctx, request, HttpResponseStatus.BAD_REQUEST, e.getMessage());
      return;
    }
    Claims claims = admission.authenticate(ctx, request, parsed);
    if (claims == null || !admission.admit(ctx, request)) {
      return;
    }
    webSocket.upgrade(ctx, request, WEBSOCKET_PATH,
        new PhoenixSocketHandler(serializer, channels, ClientAdmission.token(request, parsed), claims));
  }
}
