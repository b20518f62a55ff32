package dev.slipstream.runtime.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A minimal WebSocket client for tests: records every text frame and the close frame it receives. */
public final class WebSocketTestClient implements AutoCloseable {

  public final List<String> received = new CopyOnWriteArrayList<>();
  public final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final Channel channel;

  private WebSocketTestClient(Channel channel) {
    this.channel = channel;
  }

  /** Connects and completes the handshake, or throws. */
  public static WebSocketTestClient connect(EventLoopGroup group, URI uri) throws Exception {
    CompletableFuture<Void> handshake = new CompletableFuture<>();
    WebSocketTestClient[] self = new WebSocketTestClient[1];
    CompletableFuture<WebSocketTestClient> holder = new CompletableFuture<>();
    Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
        // A small receive window, so a client that stops reading backs up the server quickly.
        .option(io.netty.channel.ChannelOption.SO_RCVBUF, 16 * 1024)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16),
                new WebSocketClientProtocolHandler(WebSocketClientHandshakerFactory.newHandshaker(uri,
                    WebSocketVersion.V13, null, false, new DefaultHttpHeaders(), 1 << 24), false),
                new SimpleChannelInboundHandler<WebSocketFrame>() {
                  @Override
                  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                    if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                      handshake.complete(null);
                    }
                    ctx.fireUserEventTriggered(evt);
                  }

                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
                    WebSocketTestClient client = holder.getNow(null);
                    if (frame instanceof TextWebSocketFrame text && client != null) {
                      client.received.add(text.text());
                    } else if (frame instanceof CloseWebSocketFrame close && client != null) {
                      client.closeCode.complete(close.statusCode());
                    }
                  }

                  @Override
                  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    handshake.completeExceptionally(cause);
                    ctx.close();
                  }
                });
          }
        })
        .connect(uri.getHost(), uri.getPort()).sync().channel();
    self[0] = new WebSocketTestClient(channel);
    holder.complete(self[0]);
    handshake.get(30, TimeUnit.SECONDS);
    return self[0];
  }

  public void send(String text) {
    channel.writeAndFlush(new TextWebSocketFrame(text)).syncUninterruptibly();
  }

  /** Stops reading from the socket, as a client that hangs would: the server's writes back up. */
  public void stopReading() {
    channel.config().setAutoRead(false);
  }

  public void resumeReading() {
    channel.config().setAutoRead(true);
    channel.read();
  }

  public boolean isOpen() {
    return channel.isActive();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }
}
