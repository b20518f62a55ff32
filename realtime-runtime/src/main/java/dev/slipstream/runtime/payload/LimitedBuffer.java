package dev.slipstream.runtime.payload;

import java.io.ByteArrayOutputStream;

/**
 * A reusable byte buffer that refuses to grow past a limit ({@link Full}, thrown from the write
 * that would pass it), so an encoder can stop at the limit instead of encoding a huge row whole.
 */
final class LimitedBuffer extends ByteArrayOutputStream {

  /** The write would pass the limit. Without a stack trace: it is control flow, not a fault. */
  static final class Full extends RuntimeException {
    Full() {
      super("over the limit", null, false, false);
    }
  }

  private int limit = Integer.MAX_VALUE;

  LimitedBuffer() {
    super(1024);
  }

  /** Empties the buffer; writes may fill it up to {@code limit} bytes. */
  void reset(int limit) {
    reset();
    this.limit = limit;
  }

  @Override
  public void write(int b) {
    check(1);
    super.write(b);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    check(len);
    super.write(b, off, len);
  }

  private void check(int more) {
    if (count + more > limit) {
      throw new Full();
    }
  }
}
