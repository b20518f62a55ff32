package dev.slipstream.testing.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP forwarder on a loopback port that can hold every byte, both ways, on every connection, and
 * release them later: a silent network partition that heals, as TCP sees one. While held, nothing
 * is read from either side, so what a peer sends waits in the kernel's buffers (and then in the
 * sender's, once the receiver's window is full), and nothing is dropped; connections stay open and
 * new ones are accepted but get nothing through. {@link #release()} lets everything through in
 * order, including a close that happened meanwhile.
 *
 * <p>Toxiproxy cannot model this: its {@code timeout} toxic drops what is sent meanwhile, and
 * removing a very large {@code latency} toxic (which holds the bytes) blocks once a client closed its
 * connection during it (v2.12.0: the DELETE answers 503 after 25 s and the bytes stay held).
 */
public final class HoldingProxy implements AutoCloseable {

  private final InetSocketAddress upstream;
  private final ServerSocket listener;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Object gate = new Object();
  private boolean held;
  private volatile boolean closed;

  private HoldingProxy(InetSocketAddress upstream) throws IOException {
    this.upstream = upstream;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().name("holding-proxy-accept").start(this::accept);
  }

  /** Forwards 127.0.0.1:{@link #port()} to {@code host:port}. */
  public static HoldingProxy to(String host, int port) {
    try {
      return new HoldingProxy(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** From now on nothing more is read from either side of any connection. */
  public HoldingProxy hold() {
    synchronized (gate) {
      held = true;
    }
    return this;
  }

  /** Lets everything held through, in order, and forwards normally again. */
  public HoldingProxy release() {
    synchronized (gate) {
      held = false;
      gate.notifyAll();
    }
    return this;
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        sockets.add(client);
        sockets.add(server);
        server.connect(upstream, 10_000);
        java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger(2);
        Thread.ofPlatform().daemon().name("holding-proxy-up").start(() -> pump(client, server, open));
        Thread.ofPlatform().daemon().name("holding-proxy-down").start(() -> pump(server, client, open));
      } catch (IOException e) {
        if (closed) {
          return;
        }
      }
    }
  }

  /**
   * Copies {@code from} to {@code to}; holds before each read and before writing what it read. An
   * end of stream is passed on as a half close; the sockets close when both directions ended, or at
   * once when one fails.
   */
  private void pump(Socket from, Socket to, java.util.concurrent.atomic.AtomicInteger open) {
    byte[] buffer = new byte[16 * 1024];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      while (true) {
        awaitReleased();
        int n = in.read(buffer);
        awaitReleased(); // a read that was under way when the hold began: its bytes wait here
        if (n < 0) {
          to.shutdownOutput();
          if (open.decrementAndGet() == 0) {
            closeQuietly(from);
            closeQuietly(to);
          }
          return;
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      closeQuietly(from); // reset or closed: the other direction ends too
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  private void awaitReleased() throws InterruptedException {
    synchronized (gate) {
      while (held && !closed) {
        gate.wait();
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    release();
    try {
      listener.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    sockets.forEach(HoldingProxy::closeQuietly);
  }
}
