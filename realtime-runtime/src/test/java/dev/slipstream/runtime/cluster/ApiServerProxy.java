package dev.slipstream.runtime.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay in front of the API server that can cut it off the way a network does: the client
 * talks TLS to the real API server through it (the certificate names 127.0.0.1, whatever the port).
 */
final class ApiServerProxy implements AutoCloseable {

  enum Outage {
    /** Connections are reset at once: the API server's host is up, the server is not. */
    FAIL_FAST,
    /** Connections are accepted and nothing comes back: a partition; requests hang until they time out. */
    BLACKHOLE
  }

  private final ServerSocket server;
  private final String host;
  private final int port;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger turnedAway = new AtomicInteger();
  private volatile Outage outage;

  ApiServerProxy(URI target) throws IOException {
    this.host = target.getHost();
    this.port = target.getPort();
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().name("api-server-proxy").start(this::accept);
  }

  /** The URL to give a client instead of the API server's. */
  String url() {
    return "https://127.0.0.1:" + server.getLocalPort() + "/";
  }

  /** Connections refused or swallowed since the outage began. */
  int turnedAway() {
    return turnedAway.get();
  }

  void cut(Outage kind) {
    turnedAway.set(0);
    outage = kind;
    if (kind == Outage.FAIL_FAST) {
      closeAll();
    }
  }

  void restore() {
    outage = null;
    // Whatever was held or silenced closes; the client connects afresh.
    closeAll();
  }

  @Override
  public void close() {
    closeQuietly(server);
    closeAll();
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      Outage now = outage;
      if (now != null) {
        turnedAway.incrementAndGet();
        if (now == Outage.FAIL_FAST) {
          closeQuietly(client);
        } else {
          open.add(client);
        }
        continue;
      }
      try {
        Socket upstream = new Socket(host, port);
        open.add(client);
        open.add(upstream);
        pump(client, upstream);
        pump(upstream, client);
      } catch (IOException e) {
        closeQuietly(client);
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread.ofVirtual().start(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int read;
        while ((read = in.read(buffer)) >= 0) {
          if (outage == null) {
            out.write(buffer, 0, read);
            out.flush();
          }
        }
      } catch (IOException e) {
        // closed: by the other side, or by an outage
      } finally {
        closeQuietly(from);
        closeQuietly(to);
      }
    });
  }

  private void closeAll() {
    for (Socket socket : open) {
      closeQuietly(socket);
      open.remove(socket);
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // already closed
    }
  }
}
