package dev.slipstream.runtime.sse;

import dev.slipstream.runtime.admission.ClientAdmission;
import dev.slipstream.runtime.auth.Claims;
import dev.slipstream.runtime.change.EventPosition;
import dev.slipstream.runtime.fanout.FanOut;
import dev.slipstream.runtime.fanout.Subscriber;
import dev.slipstream.runtime.limits.LimitExceededException;
import dev.slipstream.runtime.limits.LimitMetrics;
import dev.slipstream.runtime.limits.TenantLimits;
import dev.slipstream.runtime.payload.SupabaseChange;
import dev.slipstream.runtime.resume.Resume;
import dev.slipstream.runtime.route.AccessPolicy;
import dev.slipstream.runtime.route.ChangeFilter;
import dev.slipstream.runtime.route.FilterLimits;
import dev.slipstream.runtime.route.PublishedColumns;
import dev.slipstream.runtime.route.PublishedTables;
import dev.slipstream.runtime.route.SubscriptionIndex;
import dev.slipstream.runtime.transport.ClientConnection;
import dev.slipstream.runtime.transport.ClientErrors;
import dev.slipstream.runtime.transport.HttpEndpoint;
import dev.slipstream.runtime.transport.HttpResponses;
import dev.slipstream.runtime.transport.RequestUri;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
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
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /realtime/v1/sse?schema=public&table=messages&event=INSERT&filter=room=eq.lobby}:
 * a stream of the matching changes as Server-Sent Events. The client is admitted as a WebSocket
 * is ({@link ClientAdmission}), and its subscription checked as a WebSocket join's binding is (the
 * tenant's filter limits, then the published tables, columns and value types), with the same
 * messages, as {@code 400 {"error": ...}}. {@code Last-Event-ID} (or the {@code lastEventId}
 * parameter, for clients that cannot set headers) resumes after that position ({@link Resume});
 * a gap is an {@code event: system} message, then the live stream follows. Comment lines keep
 * idle connections (and the proxies between) alive.
 */
public final class SseEndpoint implements HttpEndpoint {

  public static final String PATH = "/realtime/v1/sse";

  private final FanOut fanOut;
  private final Resume resume;
  private final ClientAdmission admission;
  private final TenantLimits limits;
  private final LimitMetrics limitMetrics;
  private final PublishedTables catalog;
  private final AccessPolicy access;
  private final Duration keepAlive;

  public SseEndpoint(FanOut fanOut, Resume resume, ClientAdmission admission, TenantLimits limits,
      LimitMetrics limitMetrics, PublishedTables catalog, AccessPolicy access, Duration keepAlive) {
    this.fanOut = fanOut;
    this.resume = resume;
    this.admission = admission;
    this.limits = limits;
    this.limitMetrics = limitMetrics;
    this.catalog = catalog;
    this.access = access;
    this.keepAlive = keepAlive;
  }

  /** What {@link #parse} returns for a subscription to check again once the published tables are read again. */
  private static final SseSubscription AWAIT_CATALOG = new SseSubscription(null, null);

  @Override
  public void handle(ChannelHandlerContext ctx, FullHttpRequest request, RequestUri uri) {
    Claims claims = admission.authenticate(ctx, request, uri);
    if (claims == null) {
      return;
    }
    subscribe(ctx, request, uri, claims, catalog.current(), true);
  }

  /**
   * Checks the subscription against {@code tables} and opens it. One the snapshot refuses is checked
   * again against a fresh read of the published tables (off this loop) before it is refused: the
   * table may have joined a publication since.
   */
  private void subscribe(ChannelHandlerContext ctx, FullHttpRequest request, RequestUri uri, Claims claims,
      PublishedColumns tables, boolean mayRefresh) {
    SseSubscription stream = parse(ctx, request, uri, claims, tables, mayRefresh);
    if (stream == AWAIT_CATALOG) {
      request.retain();
      catalog.refresh().whenComplete((fresh, error) -> ctx.executor().execute(() -> {
        try {
          if (ctx.channel().isActive()) {
            subscribe(ctx, request, uri, claims, fresh != null ? fresh : catalog.current(), false);
          }
        } finally {
          request.release();
        }
      }));
      return;
    }
    if (stream == null || !admission.admit(ctx, request)) {
      return;
    }
    open(ctx, stream);
  }

  /**
   * Reads and checks the request's subscription; null after answering 400 with the reason;
   * {@link #AWAIT_CATALOG} when {@code tables} refuses it and {@code mayRefresh}.
   */
  private SseSubscription parse(ChannelHandlerContext ctx, FullHttpRequest request, RequestUri uri, Claims claims,
      PublishedColumns tables, boolean mayRefresh) {
    try {
      SseSubscription parsed = SseSubscription.parse(uri, request.headers().get("Last-Event-ID"),
          new FilterLimits(limits.maxFilterLength(), limits.maxFilterValues()), tables);
      if (access.isEmpty()) {
        return parsed;
      }
      ChangeFilter filter = parsed.filter();
      return new SseSubscription(new ChangeFilter(filter.schema(), filter.table(), filter.events(),
          filter.rowFilter(), access.accessFor(claims::claim)), parsed.resumeAfter());
    } catch (SseSubscription.NotPublished e) {
      if (mayRefresh) {
        return AWAIT_CATALOG;
      }
      HttpResponses.sendJsonError(ctx, request, HttpResponseStatus.BAD_REQUEST, e.getMessage());
      return null;
    } catch (IllegalArgumentException e) {
      if (e instanceof LimitExceededException over) {
        limitMetrics.rejected(over.limit());
      }
      HttpResponses.sendJsonError(ctx, request, HttpResponseStatus.BAD_REQUEST, e.getMessage());
      return null;
    }
  }

  /** Opens the stream on an admitted client's connection; tables under access rules show only what its claims allow. */
  private void open(ChannelHandlerContext ctx, SseSubscription stream) {
    ClientConnection connection = ClientConnection.of(ctx.channel());
    connection.clearDeadline(); // a stream: the client sends nothing more
    String table = stream.filter().schema() + "." + stream.filter().table();
    connection.describe(() -> "SSE stream of " + table);
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
        .set(HttpHeaderNames.CONNECTION, "close")
        .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .set("X-Accel-Buffering", "no");
    // No length and not chunked: the stream is the rest of the connection.
    ctx.write(response);
    connection.send(ascii(": connected\n\n"));

    SseStream sse = new SseStream(connection);
    SubscriptionIndex.Subscription<Subscriber> subscription = fanOut.index().add(stream.filter(), sse);
    if (stream.resumeAfter() != null) {
      EventPosition after = stream.resumeAfter();
      resume.replay(after, stream.filter()::matches,
          event -> connection.send(SseStream.frame(ctx.alloc(), event, SupabaseChange.CLIENT.encode(event))))
          .ifPresentOrElse(sse::replayedThrough, () -> connection.send(ascii("event: system\ndata: "
              + "{\"status\":\"gap\",\"message\":\"events after " + after
              + " are not available; refetch and continue from the live stream\"}\n\n")));
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

  private static ByteBuf ascii(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
  }

  /** An SSE connection's inbound side: nothing the client sends means anything any more. */
  @ChannelHandler.Sharable
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
