package dev.slipstream.runtime.transport;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Small complete HTTP responses. */
public final class HttpResponses {

  private HttpResponses() {
  }

  public static void send(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status, String contentType,
      byte[] body) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    HttpUtil.setKeepAlive(response, keepAlive);
    var future = ctx.writeAndFlush(response);
    if (!keepAlive) {
      future.addListener(ChannelFutureListener.CLOSE);
    }
  }

  public static void sendText(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status, String text) {
    send(ctx, request, status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
  }

  public static void sendJsonError(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status, String message) {
    String json = "{\"error\":" + quote(message) + "}";
    send(ctx, request, status, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  /** An error for a request the connection cannot go on from: sent, then the connection is closed. */
  public static void sendJsonErrorAndClose(ChannelHandlerContext ctx, HttpResponseStatus status, String message) {
    byte[] body = ("{\"error\":" + quote(message) + "}").getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    HttpUtil.setKeepAlive(response, false);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  /** The answer to a connection that sent no complete request in time: 408, then closed. */
  static void requestTimeout(Channel channel) {
    byte[] body = "{\"error\":\"no complete request in time\"}".getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT,
        Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    HttpUtil.setKeepAlive(response, false);
    channel.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    // A client that does not read would hold the response, and the connection, for ever.
    channel.eventLoop().schedule(() -> channel.close(), 1, java.util.concurrent.TimeUnit.SECONDS);
  }

  private static String quote(String text) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
  }
}
