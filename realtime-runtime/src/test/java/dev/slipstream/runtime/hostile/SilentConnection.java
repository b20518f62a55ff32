package dev.slipstream.runtime.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * A TCP connection that sends nothing, or an HTTP request one byte at a time (slowloris), and
 * reads on a virtual thread until the server ends it: EOF or a reset, with the first bytes the
 * server sent before (an {@code HTTP/1.1 408} is allowed there).
 */
final class SilentConnection implements AutoCloseable {

  final Socket socket;
  final long connectedNanos;
  final CompletableFuture<String> ended = new CompletableFuture<>();
  private final StringBuffer received = new StringBuffer();
  private volatile long endedNanos;
  private volatile boolean writeFailed;

  private SilentConnection(Socket socket) {
    this.socket = socket;
    this.connectedNanos = System.nanoTime();
  }

  static SilentConnection open(int port) throws IOException {
    SilentConnection connection = new SilentConnection(RawWebSocket.openSocket(port, 0, null));
    Thread.ofVirtual().name("silent-reader").start(connection::readLoop);
    return connection;
  }

  private void readLoop() {
    try {
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[1024];
      while (true) {
        int n = in.read(buffer);
        if (n < 0) {
          end("eof");
          return;
        }
        if (received.length() < 200) {
          received.append(new String(buffer, 0, Math.min(n, 200), StandardCharsets.ISO_8859_1));
        }
      }
    } catch (IOException e) {
      end("reset: " + e.getMessage());
    }
  }

  private void end(String how) {
    endedNanos = System.nanoTime();
    ended.complete(how);
  }

  /** Writes one byte; false when the connection is gone. */
  boolean send(byte b) {
    if (writeFailed || ended.isDone()) {
      return false;
    }
    try {
      socket.getOutputStream().write(b);
      return true;
    } catch (IOException e) {
      writeFailed = true;
      return false;
    }
  }

  boolean isEnded() {
    return ended.isDone();
  }

  /** Millis from connecting to EOF or reset, or -1 while open. */
  long endedAfterMillis() {
    return ended.isDone() ? (endedNanos - connectedNanos) / 1_000_000 : -1;
  }

  String received() {
    return received.toString();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing is all we wanted
    }
  }
}
