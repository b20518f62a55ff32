package dev.slipstream.runtime.transport;

import dev.slipstream.runtime.auth.Claims;
import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.EventPosition;
import dev.slipstream.runtime.fanout.ChangeJsonEncoder;
import dev.slipstream.runtime.fanout.FanOut;
import dev.slipstream.runtime.fanout.Subscriber;
import dev.slipstream.runtime.limits.LimitExceededException;
import dev.slipstream.runtime.limits.TenantLimits;
import dev.slipstream.runtime.phoenix.ChannelContext;
import dev.slipstream.runtime.route.ChangeFilter;
import dev.slipstream.runtime.route.FilterLimits;
import dev.slipstream.runtime.route.RowFilter;
import dev.slipstream.runtime.route.SubscriptionIndex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /realtime/v1/sse?schema=public&table=messages&event=INSERT&filter=room=eq.lobby}:
 * a stream of the matching changes as Server-Sent Events. The subscription is checked as a
 * WebSocket join's binding is (the tenant's filter limits, then the published tables, columns and
 * value types), with the same messages, as {@code 400 {"error": ...}}. {@code Last-Event-ID} (or
 * the {@code lastEventId} parameter, for clients that cannot set headers) resumes after that
 * position: events still in the resume ring are replayed first, and when the ring no longer
 * reaches back that far, or the position is beyond anything the stream has reached, an
 * {@code event: system} message says there is a gap, so the client can refetch, then the live
 * stream follows. Comment lines keep idle connections (and the proxies between) alive.
 */
final class SseEndpoint {

  static final String PATH = "/realtime/v1/sse";

  private final FanOut fanOut;
  private final ChannelContext context;
  private final Duration keepAlive;

  SseEndpoint(FanOut fanOut, ChannelContext context, Duration keepAlive) {
    this.fanOut = fanOut;
    this.context = context;
    this.keepAlive = keepAlive;
  }

  /** A checked subscription, ready to open. */
  record Stream(ChangeFilter filter, EventPosition resumeAfter) {
  }

  /** Reads and checks the request's subscription; null after answering 400 with the reason. */
  Stream parse(ChannelHandlerContext ctx, FullHttpRequest request, HttpRouter.Request parsed, Claims claims) {
    TenantLimits limits = context.limits();
    try {
      String filterText = parsed.parameter("filter", null);
      RowFilter rowFilter = filterText == null || filterText.isBlank() ? null
          : RowFilter.parse(filterText, new FilterLimits(limits.maxFilterLength(), limits.maxFilterValues()));
      ChangeFilter filter = new ChangeFilter(parsed.parameter("schema", "public"),
          parsed.parameter("table", ChangeFilter.ALL_TABLES), ChangeFilter.parseEvent(parsed.parameter("event", "*")),
          rowFilter);
      String problem = context.catalog().get().problemWith(filter);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      if (!context.access().isEmpty()) {
        filter = new ChangeFilter(filter.schema(), filter.table(), filter.events(), rowFilter,
            context.access().accessFor(claims::claim));
      }
      String lastEventId = Optional.ofNullable(request.headers().get("Last-Event-ID"))
          .orElse(parsed.parameter("lastEventId", null));
      EventPosition resumeAfter = lastEventId == null || lastEventId.isBlank() ? null
          : EventPosition.parse(lastEventId.trim());
      return new Stream(filter, resumeAfter);
    } catch (IllegalArgumentException e) {
      if (e instanceof LimitExceededException over) {
        context.limitMetrics().rejected(over.limit());
      }
      HttpResponses.sendJsonError(ctx, request, HttpResponseStatus.BAD_REQUEST, e.getMessage());
      return null;
    }
  }

  /** Opens the stream on an admitted client's connection; tables under access rules show only what its claims allow. */
  void open(ChannelHandlerContext ctx, Stream stream) {
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
        .set(HttpHeaderNames.CONNECTION, "close")
        .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .set("X-Accel-Buffering", "no");
    // No length and not chunked: the stream is the rest of the connection.
    ctx.write(response);
    ClientConnection connection = ClientConnection.of(ctx.channel());
    connection.send(ascii(": connected\n\n"));

    SseStream sse = new SseStream(connection);
    // Register before reading the ring: an event is in the ring before it is routed, so it is
    // found in one or the other (or both: positions drop the repeat).
    SubscriptionIndex.Subscription<Subscriber> subscription = fanOut.index().add(stream.filter(), sse);
    if (stream.resumeAfter() != null) {
      replay(ctx, connection, stream.filter(), stream.resumeAfter());
    }
    ScheduledFuture<?> keepAliveTask = ctx.executor().scheduleAtFixedRate(
        () -> connection.send(ascii(": keep-alive\n\n")), keepAlive.toMillis(), keepAlive.toMillis(),
        TimeUnit.MILLISECONDS);
    ctx.channel().closeFuture().addListener(f -> {
      keepAliveTask.cancel(false);
      fanOut.index().remove(subscription);
    });
    // Whatever the client sends from now on is read (within its throttle) and dropped.
    ctx.pipeline().replace(ctx.handler(), "sse", Discard.INSTANCE);
  }

  private void replay(ChannelHandlerContext ctx, ClientConnection connection, ChangeFilter filter,
      EventPosition after) {
    Optional<List<ChangeEvent>> missed = fanOut.ring().after(after);
    if (missed.isEmpty()) {
      connection.send(ascii("event: system\ndata: {\"status\":\"gap\",\"message\":\"events after " + after
          + " are not available; refetch and continue from the live stream\"}\n\n"));
      return;
    }
    connection.skipThrough(after);
    ChangeJsonEncoder encoder = new ChangeJsonEncoder();
    for (ChangeEvent event : missed.get()) {
      if (filter.matches(event)) {
        connection.send(SseStream.frame(ctx.alloc(), event, encoder.clientShape(event)), event.position());
      }
    }
  }

  private static ByteBuf ascii(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
  }

  /** An SSE connection's inbound side: nothing the client sends means anything any more. */
  @io.netty.channel.ChannelHandler.Sharable
  private static final class Discard extends ChannelInboundHandlerAdapter {
    static final Discard INSTANCE = new Discard();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ClientErrors.caught(ctx, cause);
    }
  }
}
