package dev.slipstream.runtime.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Netty's request aggregator, telling the {@link ClientConnection} when a request is complete:
 * its bytes are no longer held, and a kept-alive connection has {@code handshakeTimeout} again
 * for its next one.
 */
final class HttpRequests extends HttpObjectAggregator {

  private ClientConnection connection;

  HttpRequests(int maxBodyBytes) {
    super(maxBodyBytes);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    connection = ClientConnection.of(ctx.channel());
    super.handlerAdded(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    // The last part of a request (a whole request is one) completes it; read it before it is
    // handed on, since the router may set the connection's next deadline.
    boolean completes = msg instanceof LastHttpContent;
    if (completes && connection != null) {
      connection.messageCompleted();
      connection.expectRequest();
    }
    super.channelRead(ctx, msg);
  }
}
