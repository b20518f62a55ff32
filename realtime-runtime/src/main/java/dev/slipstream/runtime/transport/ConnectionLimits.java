package dev.slipstream.runtime.transport;

import java.time.Duration;

/**
 * What the transport allows one connection, and all of them together.
 *
 * @param clientBufferBytes the byte budget of what the server has sent a client that it has not read
 * @param maxFrameBytes the largest WebSocket message a client may send (fragments reassembled)
 * @param inboundBytesPerSecond bytes read from one client per second (bursts of twice that)
 * @param handshakeTimeout time to send a complete HTTP request, after connecting or after a response
 * @param idleTimeout time a WebSocket may send no frame at all
 * @param maxHeldBytes what all clients together may hold (unsent output, unfinished input)
 */
public record ConnectionLimits(long clientBufferBytes, int maxFrameBytes, long inboundBytesPerSecond,
    Duration handshakeTimeout, Duration idleTimeout, long maxHeldBytes) {

  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

  public ConnectionLimits {
    positive("clientBufferBytes", clientBufferBytes);
    positive("maxFrameBytes", maxFrameBytes);
    positive("inboundBytesPerSecond", inboundBytesPerSecond);
    positive("maxHeldBytes", maxHeldBytes);
    positive("handshakeTimeout", handshakeTimeout);
    positive("idleTimeout", idleTimeout);
  }

  /** The defaults, with a client budget and frame limit of one's own (1 MiB each in production). */
  public static ConnectionLimits defaults(long clientBufferBytes, int maxFrameBytes) {
    return new ConnectionLimits(clientBufferBytes, maxFrameBytes, 1 << 20, DEFAULT_HANDSHAKE_TIMEOUT,
        DEFAULT_IDLE_TIMEOUT, ConnectionWatch.defaultCap());
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, not " + value);
    }
  }

  private static void positive(String name, Duration value) {
    if (value == null || value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive, not " + value);
    }
  }
}
