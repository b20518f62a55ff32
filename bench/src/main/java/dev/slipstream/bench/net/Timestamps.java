package dev.slipstream.bench.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Wall-clock microseconds: now, PostgreSQL's (2000-01-01 epoch) and ISO 8601 text as the runtime
 * renders {@code commit_timestamp} ({@code 2026-11-23T23:00:51.162157Z}), read straight from a
 * frame's bytes without building a JSON tree.
 */
public final class Timestamps {

  /** Microseconds between 1970-01-01 and 2000-01-01. */
  public static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

  private static final ByteBuf COMMIT_TIMESTAMP = Unpooled.unreleasableBuffer(
      Unpooled.copiedBuffer("\"commit_timestamp\":\"", StandardCharsets.UTF_8));

  private Timestamps() {
  }

  public static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  /** The {@code commit_timestamp} of a pushed change, in epoch microseconds; -1 when absent. */
  public static long commitTimestampMicros(ByteBuf content) {
    int at = ByteBufUtil.indexOf(COMMIT_TIMESTAMP, content);
    if (at < 0) {
      return -1;
    }
    return isoMicros(content, at + COMMIT_TIMESTAMP.readableBytes());
  }

  /** Parses {@code yyyy-MM-ddTHH:mm:ss[.ffffff](Z|±hh:mm)} at {@code i}. */
  static long isoMicros(ByteBuf b, int i) {
    int year = digits(b, i, 4);
    int month = digits(b, i + 5, 2);
    int day = digits(b, i + 8, 2);
    int hour = digits(b, i + 11, 2);
    int minute = digits(b, i + 14, 2);
    int second = digits(b, i + 17, 2);
    int p = i + 19;
    long micros = 0;
    if (b.getByte(p) == '.') {
      p++;
      int n = 0;
      while (Character.isDigit(b.getByte(p))) {
        if (n < 6) {
          micros = micros * 10 + (b.getByte(p) - '0');
        }
        n++;
        p++;
      }
      for (; n < 6; n++) {
        micros *= 10;
      }
    }
    long offsetSeconds = 0;
    byte zone = b.getByte(p);
    if (zone == '+' || zone == '-') {
      offsetSeconds = (digits(b, p + 1, 2) * 3600L + digits(b, p + 4, 2) * 60L) * (zone == '-' ? -1 : 1);
    }
    long epochSeconds = LocalDate.of(year, month, day).toEpochDay() * 86_400L + hour * 3600L + minute * 60L + second
        - offsetSeconds;
    return epochSeconds * 1_000_000L + micros;
  }

  private static int digits(ByteBuf b, int at, int count) {
    int v = 0;
    for (int k = 0; k < count; k++) {
      v = v * 10 + (b.getByte(at + k) - '0');
    }
    return v;
  }

  /** The integer value of {@code "key":123} in a frame, or -1. */
  public static long longField(ByteBuf content, ByteBuf key) {
    int at = ByteBufUtil.indexOf(key, content);
    if (at < 0) {
      return -1;
    }
    int p = at + key.readableBytes();
    long v = 0;
    boolean any = false;
    while (p < content.writerIndex() && Character.isDigit(content.getByte(p))) {
      v = v * 10 + (content.getByte(p) - '0');
      p++;
      any = true;
    }
    return any ? v : -1;
  }

  public static ByteBuf key(String name) {
    return Unpooled.unreleasableBuffer(Unpooled.copiedBuffer("\"" + name + "\":", StandardCharsets.UTF_8));
  }
}
