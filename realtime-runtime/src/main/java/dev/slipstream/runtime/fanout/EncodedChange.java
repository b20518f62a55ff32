package dev.slipstream.runtime.fanout;

import dev.slipstream.runtime.change.ChangeEvent;

/**
 * The serialised forms of one change, each computed on first use and then shared by every frame
 * that embeds it, so a change reaching many subscribers is serialised once per {@link ChangeShape}.
 * Used by one thread at a time (the fan-out's, or a replaying event loop's).
 */
public final class EncodedChange {

  private final ChangeEvent event;
  /** Shapes and their bytes, side by side: a change rarely has more than two. */
  private ChangeShape[] shapes = new ChangeShape[2];
  private byte[][] encoded = new byte[2][];
  private int count;

  public EncodedChange(ChangeEvent event) {
    this.event = event;
  }

  public ChangeEvent event() {
    return event;
  }

  /** The change in {@code shape}, encoded once. */
  public byte[] as(ChangeShape shape) {
    for (int i = 0; i < count; i++) {
      if (shapes[i] == shape) {
        return encoded[i];
      }
    }
    if (count == shapes.length) {
      shapes = java.util.Arrays.copyOf(shapes, count * 2);
      encoded = java.util.Arrays.copyOf(encoded, count * 2);
    }
    shapes[count] = shape;
    encoded[count] = shape.encode(event);
    return encoded[count++];
  }
}
