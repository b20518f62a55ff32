package dev.slipstream.runtime.replication;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.SocketFactory;
import org.postgresql.PGProperty;

/**
 * Watches the bytes PostgreSQL sends on one replication connection, below pgjdbc: when the last
 * one arrived (anything: data or a keepalive, which pgjdbc consumes without telling), and a wait
 * for the next one that neither spins nor consumes it.
 *
 * <p>pgjdbc offers neither. Its blocking {@code read()} returns only with data, so a keepalive that
 * asks for a reply is answered only once the next data arrives; its {@code readPending()} returns at
 * once when nothing is there (after a 1 ms blocking peek), so waiting on it is a poll. The replication
 * connection is opened with {@link Factory} as its socket factory: the socket it makes hands pgjdbc
 * an input stream that notes each arrival and can wait for readability with a timeout, keeping the
 * byte it waited for for pgjdbc's next read. With TLS, pgjdbc layers its socket on this one, which
 * then sees the encrypted records: still every arrival.
 *
 * <p>One per connection attempt; {@link #close()} unregisters it.
 */
final class ReceiveWatch implements AutoCloseable {

  /** Watches by the key pgjdbc passes to the factory it instantiates by name. */
  private static final Map<String, ReceiveWatch> WATCHES = new ConcurrentHashMap<>();

  private final String key = UUID.randomUUID().toString();
  private volatile WatchedSocket socket;

  ReceiveWatch() {
    WATCHES.put(key, this);
  }

  /** Makes the connection opened with {@code props} use this watch's socket. */
  Properties applyTo(Properties props) {
    PGProperty.SOCKET_FACTORY.set(props, Factory.class.getName());
    PGProperty.SOCKET_FACTORY_ARG.set(props, key);
    return props;
  }

  /** When the last byte arrived (System.nanoTime), or when the socket was made if none has. */
  long lastByteNanos() {
    WatchedSocket current = socket;
    return current == null ? System.nanoTime() : current.input.lastByteNanos;
  }

  /**
   * Waits at most {@code millis} for a byte to read, without taking it from pgjdbc. True when one is
   * there, false after the timeout; {@link java.io.EOFException} once the server closed the
   * connection (pgjdbc's non-blocking read takes an end of stream for "nothing yet", and would
   * only notice when a status update failed to go out, 10 to 20 s later).
   */
  boolean awaitReadable(int millis) throws IOException {
    WatchedSocket current = socket;
    if (current == null) {
      throw new IOException("the replication connection has no socket");
    }
    return current.input.awaitReadable(current, millis);
  }

  /**
   * Whether bytes have arrived that pgjdbc has not taken from the socket yet (pgjdbc's own buffer
   * may hold more): false means a batch may end here without waiting for pgjdbc's 1 ms peek.
   */
  boolean bytesWaiting() throws IOException {
    WatchedSocket current = socket;
    return current != null && current.input.available() > 0;
  }

  @Override
  public void close() {
    WATCHES.remove(key);
  }

  /** What pgjdbc instantiates by name, with the watch's key as its argument ({@code socketFactoryArg}). */
  public static final class Factory extends SocketFactory {
    private final ReceiveWatch watch;

    public Factory(String key) {
      this.watch = WATCHES.get(key);
      if (watch == null) {
        throw new IllegalStateException("no replication connection is being opened with key " + key);
      }
    }

    @Override
    public Socket createSocket() {
      WatchedSocket made = new WatchedSocket();
      watch.socket = made; // a retry (sslmode=prefer falling back) makes a new one: the last one is in use
      return made;
    }

    @Override
    public Socket createSocket(String host, int port) {
      throw new UnsupportedOperationException("pgjdbc connects the unconnected socket itself");
    }

    @Override
    public Socket createSocket(String host, int port, java.net.InetAddress localHost, int localPort) {
      throw new UnsupportedOperationException("pgjdbc connects the unconnected socket itself");
    }

    @Override
    public Socket createSocket(java.net.InetAddress host, int port) {
      throw new UnsupportedOperationException("pgjdbc connects the unconnected socket itself");
    }

    @Override
    public Socket createSocket(java.net.InetAddress address, int port, java.net.InetAddress localAddress,
        int localPort) {
      throw new UnsupportedOperationException("pgjdbc connects the unconnected socket itself");
    }
  }

  private static final class WatchedSocket extends Socket {
    private WatchedInput input;

    @Override
    public synchronized InputStream getInputStream() throws IOException {
      if (input == null) {
        input = new WatchedInput(super.getInputStream());
      }
      return input;
    }
  }

  /**
   * The socket's input as pgjdbc reads it, plus the wait. Read only by the replication thread (pgjdbc's
   * reads and the wait happen there); {@link #lastByteNanos} is read by others.
   */
  static final class WatchedInput extends FilterInputStream {
    private static final int NONE = -1;
    volatile long lastByteNanos = System.nanoTime();
    /** A byte the wait read and pgjdbc has not, or NONE. */
    private int held = NONE;
    private boolean ended;

    WatchedInput(InputStream in) {
      super(in);
    }

    boolean awaitReadable(Socket socket, int millis) throws IOException {
      if (held != NONE) {
        return true;
      }
      if (ended) {
        throw new java.io.EOFException("PostgreSQL closed the replication connection");
      }
      if (in.available() > 0) {
        lastByteNanos = System.nanoTime(); // arrived, not read yet
        return true;
      }
      int timeout = socket.getSoTimeout();
      socket.setSoTimeout(Math.max(1, millis));
      try {
        int b = in.read();
        if (b < 0) {
          ended = true;
          throw new java.io.EOFException("PostgreSQL closed the replication connection");
        } else {
          held = b;
          lastByteNanos = System.nanoTime();
        }
        return true;
      } catch (SocketTimeoutException e) {
        return false;
      } finally {
        socket.setSoTimeout(timeout);
      }
    }

    @Override
    public int read() throws IOException {
      if (held != NONE) {
        int b = held;
        held = NONE;
        return b;
      }
      if (ended) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        lastByteNanos = System.nanoTime();
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (length == 0) {
        return 0;
      }
      if (held != NONE) {
        buffer[offset] = (byte) held;
        held = NONE;
        int more = length > 1 && in.available() > 0 ? in.read(buffer, offset + 1, Math.min(length - 1, in.available())) : 0;
        return 1 + Math.max(more, 0);
      }
      if (ended) {
        return -1;
      }
      int n = in.read(buffer, offset, length);
      if (n > 0) {
        lastByteNanos = System.nanoTime();
      }
      return n;
    }

    @Override
    public int available() throws IOException {
      return (held != NONE ? 1 : 0) + (ended ? 0 : in.available());
    }

    @Override
    public long skip(long n) throws IOException {
      if (n <= 0) {
        return 0;
      }
      if (held != NONE) {
        held = NONE;
        return 1;
      }
      return in.skip(n);
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
