package dev.slipstream.runtime.relay;

/**
 * Bytes that are not the relay protocol: an unknown frame type, a truncated or oversized frame, a
 * value out of range. The message says what was expected and where; it never holds frame content.
 */
public class RelayProtocolException extends RuntimeException {

  public RelayProtocolException(String message) {
    super(message);
  }

  /** A frame announced longer than the reader accepts: refused before any of it is buffered. */
  public static final class FrameTooLarge extends RelayProtocolException {
    public FrameTooLarge(long length, int max) {
      super("relay frame of " + length + " bytes exceeds the limit of " + max + " bytes");
    }
  }
}
