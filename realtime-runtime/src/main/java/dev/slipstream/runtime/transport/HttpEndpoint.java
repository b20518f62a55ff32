package dev.slipstream.runtime.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;

/**
 * What answers the requests to one path of the runtime's port: a protocol's upgrade or stream, a
 * probe, a page. Runs on the connection's event loop and must not block it; an endpoint that
 * needs I/O answers later, on the loop ({@code ctx.executor()}). The request is released when
 * {@link #handle} returns: an endpoint that answers later copies what it needs.
 */
@FunctionalInterface
public interface HttpEndpoint {

  void handle(ChannelHandlerContext ctx, FullHttpRequest request, RequestUri uri);

  /** The methods it answers; others get 405. GET unless said otherwise. */
  default boolean accepts(HttpMethod method) {
    return method.equals(HttpMethod.GET);
  }

  /** A fixed body, such as a page: served as it is to every GET. */
  static HttpEndpoint of(String contentType, byte[] body) {
    return (ctx, request, uri) -> HttpResponses.send(ctx, request, io.netty.handler.codec.http.HttpResponseStatus.OK,
        contentType, body);
  }
}
