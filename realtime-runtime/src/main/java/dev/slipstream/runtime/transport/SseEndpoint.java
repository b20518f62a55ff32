package dev.slipstream.runtime.transport;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.EventPosition;
import dev.slipstream.runtime.fanout.ChangeJsonEncoder;
import dev.slipstream.runtime.fanout.ClientConnection;
import dev.slipstream.runtime.fanout.FanOut;
import dev.slipstream.runtime.fanout.FanOutMetrics;
import dev.slipstream.runtime.fanout.Subscriber;
import dev.slipstream.runtime.auth.Claims;
import dev.slipstream.runtime.route.AccessPolicy;
import dev.slipstream.runtime.route.ChangeFilter;
import dev.slipstream.runtime.route.RowFilter;
import dev.slipstream.runtime.route.SubscriptionIndex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /realtime/v1/sse?schema=public&table=messages&event=INSERT&filter=room=eq.lobby}:
 * a stream of the matching changes as Server-Sent Events. {@code Last-Event-ID} (or the
 * {@code lastEventId} parameter, for clients that cannot set headers) resumes after that position:
 * events still in the resume ring are replayed first, and when the ring no longer reaches back
 * that far an {@code event: system} message says there is a gap, so the client can refetch.
 * Comment lines keep idle connections (and the proxies between) alive.
 */
final class SseEndpoint {

  static final String PATH = "/realtime/v1/sse";

  private final FanOut fanOut;
  private final FanOutMetrics metrics;
  private final long clientBufferBytes;
  private final Duration keepAlive;
  private final AccessPolicy access;

  SseEndpoint(FanOut fanOut, FanOutMetrics metrics, long clientBufferBytes, Duration keepAlive, AccessPolicy access) {
    this.fanOut = fanOut;
    this.metrics = metrics;
    this.clientBufferBytes = clientBufferBytes;
    this.keepAlive = keepAlive;
    this.access = access;
  }

  /** Opens the stream for an admitted client; tables under access rules show it only the rows its claims allow. */
  void open(ChannelHandlerContext ctx, FullHttpRequest request, Claims claims) {
    QueryStringDecoder query = new QueryStringDecoder(request.uri());
    ChangeFilter filter;
    EventPosition resumeAfter;
    try {
      filter = new ChangeFilter(param(query, "schema", "public"), param(query, "table", ChangeFilter.ALL_TABLES),
          ChangeFilter.parseEvent(param(query, "event", "*")), rowFilter(param(query, "filter", null)),
          access.isEmpty() ? null : access.accessFor(claims::claim));
      String lastEventId = Optional.ofNullable(request.headers().get("Last-Event-ID"))
          .orElse(param(query, "lastEventId", null));
      resumeAfter = lastEventId == null || lastEventId.isBlank() ? null : EventPosition.parse(lastEventId.trim());
    } catch (IllegalArgumentException e) {
      HttpResponses.sendJsonError(ctx, request, HttpResponseStatus.BAD_REQUEST, e.getMessage());
      return;
    }

    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
        .set(HttpHeaderNames.CONNECTION, "close")
        .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .set("X-Accel-Buffering", "no");
    // No length and not chunked: the stream is the rest of the connection.
    ctx.write(response);
    ctx.writeAndFlush(ascii(": connected\n\n"));

    ClientConnection connection = new ClientConnection(ctx.channel(), clientBufferBytes, () -> {
      metrics.slowClientClosed();
      ctx.close();
    });
    SseStream stream = new SseStream(connection);
    // Register before reading the ring: an event is in the ring before it is routed, so it is
    // found in one or the other (or both: positions drop the repeat).
    SubscriptionIndex.Subscription<Subscriber> subscription = fanOut.index().add(filter, stream);
    if (resumeAfter != null) {
      replay(ctx, connection, filter, resumeAfter);
    }
    ScheduledFuture<?> keepAliveTask = ctx.executor().scheduleAtFixedRate(
        () -> ctx.writeAndFlush(ascii(": keep-alive\n\n")), keepAlive.toMillis(), keepAlive.toMillis(),
        TimeUnit.MILLISECONDS);
    ctx.channel().closeFuture().addListener(f -> {
      keepAliveTask.cancel(false);
      fanOut.index().remove(subscription);
    });
  }

  private void replay(ChannelHandlerContext ctx, ClientConnection connection, ChangeFilter filter,
      EventPosition after) {
    connection.skipThrough(after);
    Optional<List<ChangeEvent>> missed = fanOut.ring().after(after);
    if (missed.isEmpty()) {
      ctx.writeAndFlush(ascii("event: system\ndata: {\"status\":\"gap\",\"message\":\"events after " + after
          + " are no longer available; refetch and continue from the live stream\"}\n\n"));
      return;
    }
    ChangeJsonEncoder encoder = new ChangeJsonEncoder();
    for (ChangeEvent event : missed.get()) {
      if (filter.matches(event)) {
        connection.send(SseStream.frame(ctx.alloc(), event, encoder.clientShape(event)), event.position());
      }
    }
  }

  private static RowFilter rowFilter(String text) {
    return text == null || text.isBlank() ? null : RowFilter.parse(text);
  }

  private static String param(QueryStringDecoder query, String name, String fallback) {
    List<String> values = query.parameters().get(name);
    return values == null || values.isEmpty() ? fallback : values.getFirst();
  }

  private static ByteBuf ascii(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
  }
}
