package dev.slipstream.runtime.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.AttributeKey;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of every client pipeline: whatever a client's bytes made a handler throw
 * (a corrupt WebSocket frame, an oversized message, a reset connection) ends here instead of in
 * Netty's tail, which would log a warning with a stack trace for each. The connection is closed
 * (a message over the limit with WebSocket close code 1009), counted in
 * {@code slipstream_client_errors_total}, and logged once per connection, one line, through the
 * process's rate-limited {@link ClientErrorLog}. A connection reset by the client is not an error.
 */
@ChannelHandler.Sharable
final class ClientErrors extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(ClientErrors.class);
  private static final AttributeKey<Boolean> LOGGED = AttributeKey.valueOf("slipstream.clientErrorLogged");

  private final ConnectionMetrics metrics;
  private final ClientErrorLog errorLog;

  ClientErrors(ConnectionMetrics metrics, ClientErrorLog errorLog) {
    this.metrics = metrics;
    this.errorLog = errorLog;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException) {
      log.debug("Connection from {} failed: {}", ctx.channel().remoteAddress(), ClientErrorLog.describe(cause));
      ctx.close();
      return;
    }
    metrics.clientError();
    if (ctx.channel().attr(LOGGED).setIfAbsent(Boolean.TRUE) == null) {
      errorLog.info("Closing the connection from " + ctx.channel().remoteAddress() + ": "
          + ClientErrorLog.describe(cause));
    }
    if (hasCause(cause, TooLongFrameException.class) && WebSocketStage.isWebSocket(ctx.channel())) {
      WebSocketStage.close(ctx.channel(), WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "message too big");
    } else {
      ctx.close();
    }
  }

  private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
