package dev.slipstream.runtime.phoenix;

import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * What a socket sent while one of its joins waits for the published tables to be read again: kept
 * in order and handled after the join is answered, so a client sees its messages answered in the
 * order it sent them (a leave right after a join leaves the joined channel). At most {@link #MAX}
 * frames; the wait lasts one catalog read, and a client that sends more in that time is not one
 * realtime-js would be. Owned by the socket's event loop.
 */
final class HeldFrames {

  static final int MAX = 256;

  private final ArrayDeque<WebSocketFrame> frames = new ArrayDeque<>();
  private boolean holding;

  /** From now on, {@link #offer} keeps what arrives. */
  void hold() {
    holding = true;
  }

  boolean holding() {
    return holding;
  }

  /**
   * Keeps {@code frame} (retained) while holding. False when not holding (handle it now) or when
   * full (refuse it); true when kept.
   */
  boolean offer(WebSocketFrame frame) {
    if (!holding || frames.size() >= MAX) {
      return false;
    }
    frames.add(frame.retain());
    return true;
  }

  /**
   * Stops holding and hands the kept frames to {@code handler} in order, until one of them makes
   * the socket hold again (another join awaiting the catalog): the rest wait for the next release.
   */
  void release(Consumer<WebSocketFrame> handler) {
    holding = false;
    WebSocketFrame frame;
    while (!holding && (frame = frames.poll()) != null) {
      try {
        handler.accept(frame);
      } finally {
        frame.release();
      }
    }
  }

  /** The socket is gone: frees what is kept. */
  void discard() {
    holding = false;
    WebSocketFrame frame;
    while ((frame = frames.poll()) != null) {
      frame.release();
    }
  }
}
