package dev.slipstream.runtime.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the last handler of every client pipeline (the router, an SSE stream, the protocol) does
 * with whatever a client's bytes made a handler throw (a corrupt WebSocket frame, an oversized
 * message, a reset connection), instead of letting it reach Netty's tail, which would log a
 * warning with a stack trace for each. The connection is closed
 * (a message over the limit with WebSocket close code 1009), counted in
 * {@code slipstream_client_errors_total}, and logged once per connection, one line, through the
 * process's rate-limited {@link ClientErrorLog}. A connection reset or closed by the client, even
 * in the middle of a message, is not an error.
 */
public final class ClientErrors {

  private static final Logger log = LoggerFactory.getLogger(ClientErrors.class);

  private final ConnectionMetrics metrics;
  private final ClientErrorLog errorLog;

  public ClientErrors(ConnectionMetrics metrics, ClientErrorLog errorLog) {
    this.metrics = metrics;
    this.errorLog = errorLog;
  }

  /** Handles what {@code ctx}'s handler caught: counted, logged once, the connection closed. */
  public static void caught(ChannelHandlerContext ctx, Throwable cause) {
    ClientConnection connection = ClientConnection.of(ctx.channel());
    if (connection == null) {
      ctx.close();
      return;
    }
    connection.errors().handle(ctx, cause, connection);
  }

  private void handle(ChannelHandlerContext ctx, Throwable cause, ClientConnection connection) {
    if (cause instanceof IOException || cause instanceof PrematureChannelClosureException) {
      log.debug("Connection from {} failed: {}", ctx.channel().remoteAddress(), ClientErrorLog.describe(cause));
      ctx.close();
      return;
    }
    metrics.clientError();
    if (connection.firstError()) {
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
