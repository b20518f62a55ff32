package dev.slipstream.runtime.change;

import java.util.Comparator;

/**
 * Where an event sits in the tenant's change stream: the commit LSN of its transaction and its
 * index within that transaction. Positions are totally ordered and unique, which is what lets a
 * client resume ({@code Last-Event-ID}) without gaps or repeats.
 *
 * <p>Text form {@code <commit LSN as 16 hex digits>-<index>}, e.g. {@code 00000000016B3748-3}:
 * the LSN part is fixed width; order positions with {@link #compareTo}, not as text.
 */
public record EventPosition(long commitLsn, int index) implements Comparable<EventPosition> {

  private static final Comparator<EventPosition> ORDER = Comparator
      .comparing(EventPosition::commitLsn, Long::compareUnsigned)
      .thenComparingInt(EventPosition::index);

  public EventPosition {
    if (index < 0) {
      throw new IllegalArgumentException("index must not be negative: " + index);
    }
  }

  /** Parses the text form; throws {@link IllegalArgumentException} with the reason otherwise. */
  public static EventPosition parse(String text) {
    int dash = text == null ? -1 : text.indexOf('-');
    if (dash != 16) {
      throw new IllegalArgumentException("not an event position (expected 16 hex digits, '-', index): " + text);
    }
    try {
      return new EventPosition(Long.parseUnsignedLong(text.substring(0, dash), 16),
          Integer.parseInt(text.substring(dash + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an event position: " + text, e);
    }
  }

  @Override
  public int compareTo(EventPosition other) {
    return ORDER.compare(this, other);
  }

  public boolean isAfter(EventPosition other) {
    return compareTo(other) > 0;
  }

  /** {@code %016X-%d}, without String.format: every push and SSE event carries it. */
  @Override
  public String toString() {
    char[] text = new char[16];
    long lsn = commitLsn;
    for (int i = 15; i >= 0; i--) {
      text[i] = HEX[(int) (lsn & 0xF)];
      lsn >>>= 4;
    }
    return new String(text) + '-' + index;
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
}
