package dev.slipstream.runtime.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SingleThreadEventLoop;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server's connections are closed, and their handlers hear it, when it stops while its event
 * loop is busy: the moment at which Netty 4.2's loop, asked to stop with no quiet period, ends
 * without closing the channels it serves.
 */
class OpenConnectionsTest {

  private static final int CLIENTS = 3;

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final OpenConnections connections = new OpenConnections();
  private final List<Channel> inactive = new CopyOnWriteArrayList<>();
  private final List<Socket> clients = new ArrayList<>();

  @AfterEach
  void close() throws IOException {
    for (Socket client : clients) {
      client.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void stoppingWhileTheLoopIsBusyClosesEveryConnectionFirst() throws Exception {
    Channel server = serve();
    for (int i = 0; i < CLIENTS; i++) {
      Socket client = new Socket();
      client.connect(server.localAddress());
      client.setSoTimeout(10_000);
      clients.add(client);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> connections.size() == CLIENTS);
    server.close().syncUninterruptibly();

    // The loop is in the middle of a task when the owner stops it.
    SingleThreadEventLoop loop = (SingleThreadEventLoop) group.next();
    CountDownLatch busy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    loop.execute(() -> {
      busy.countDown();
      try {
        release.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    busy.await();
    CompletableFuture<Void> stopping = CompletableFuture.runAsync(
        () -> connections.closeThenStop(group, Duration.ofSeconds(5)));
    // Asked to stop, or asked to close first (queued behind the task): either way, let the task end.
    await().atMost(Duration.ofSeconds(10)).until(() -> group.isShuttingDown() || loop.pendingTasks() > 0);
    release.countDown();
    stopping.get(20, TimeUnit.SECONDS);

    assertThat(group.isTerminated()).isTrue();
    assertThat(inactive).as("connections whose handlers heard them close").hasSize(CLIENTS)
        .allSatisfy(channel -> assertThat(channel.isOpen()).isFalse());
    for (Socket client : clients) {
      assertThat(client.getInputStream().read()).as("the peer sees the connection end").isEqualTo(-1);
    }
  }

  private Channel serve() {
    return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            connections.add(channel);
            channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              @Override
              public void channelInactive(ChannelHandlerContext ctx) {
                inactive.add(ctx.channel());
                ctx.fireChannelInactive();
              }
            });
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
  }
}
