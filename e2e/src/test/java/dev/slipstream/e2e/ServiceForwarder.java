package dev.slipstream.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A Service's virtual address as a client sees it, for tests without kube-proxy: a loopback
 * listener that sends each new TCP connection to the endpoint {@code pick} names at that moment
 * (a ready endpoint of the Service's EndpointSlices, say) and pipes bytes both ways until either
 * side closes. A client that reconnects after its pod died lands on another pod, as it would
 * through a Service. Connections it could not place are closed at once, as kube-proxy rejects
 * them when no endpoint is ready.
 */
final class ServiceForwarder implements AutoCloseable {

  private final ServerSocket listener;
  private final Supplier<URI> pick;
  /** The endpoint of every connection placed so far, in order. */
  final List<URI> placed = new CopyOnWriteArrayList<>();

  private ServiceForwarder(Supplier<URI> pick) throws IOException {
    this.pick = pick;
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().name("service-forwarder").start(this::accept);
  }

  static ServiceForwarder start(Supplier<URI> pick) {
    try {
      return new ServiceForwarder(pick);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code http://127.0.0.1:<port>}: what the client connects to. */
  URI address() {
    return URI.create("http://127.0.0.1:" + listener.getLocalPort());
  }

  private void accept() {
    while (!listener.isClosed()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException closed) {
        return;
      }
      Thread.ofVirtual().start(() -> place(client));
    }
  }

  private void place(Socket client) {
    URI endpoint = null;
    try {
      endpoint = pick.get();
    } catch (RuntimeException e) {
      // no endpoint: closed below
    }
    Socket backend = new Socket();
    try (client; backend) {
      if (endpoint == null) {
        return;
      }
      backend.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), 2_000);
      placed.add(endpoint);
      Thread upstream = Thread.ofVirtual().start(() -> pipe(client, backend));
      pipe(backend, client);
      upstream.join();
    } catch (IOException | InterruptedException e) {
      // the pod is gone or the client left: both sides are closed
    }
  }

  /** Copies until {@code from} ends, then closes both, so the other direction ends too. */
  private static void pipe(Socket from, Socket to) {
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException e) {
      // reset or closed
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
