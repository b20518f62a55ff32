package dev.slipstream.bench.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;

class TimestampsTest {

  private static long micros(String iso) {
    Instant i = OffsetDateTime.parse(iso).toInstant();
    return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
  }

  private static ByteBuf push(String timestamp) {
    return Unpooled.copiedBuffer("[null,null,\"realtime:bench\",\"postgres_changes\",{\"ids\":[1],\"data\":{"
        + "\"schema\":\"public\",\"table\":\"t\",\"commit_timestamp\":\"" + timestamp + "\",\"type\":\"INSERT\","
        + "\"record\":{\"id\":7,\"phase\":12}}}]", StandardCharsets.UTF_8);
  }

  @Test
  void readsTheCommitTimestampAsTheRuntimeRendersIt() {
    for (String ts : new String[] {"2026-11-23T23:00:51.162157Z", "2026-11-23T23:00:51.1Z", "2026-11-23T23:00:51Z",
        "2026-11-23T23:00:51.162157+00:00", "2026-11-24T01:30:51.5+02:30", "2024-02-29T00:00:00.000001-05:00"}) {
      assertThat(Timestamps.commitTimestampMicros(push(ts))).as(ts).isEqualTo(micros(ts));
    }
  }

  @Test
  void readsAnIntegerField() {
    assertThat(Timestamps.longField(push("2026-11-23T23:00:51Z"), Timestamps.key("phase"))).isEqualTo(12);
    assertThat(Timestamps.longField(push("2026-11-23T23:00:51Z"), Timestamps.key("missing"))).isEqualTo(-1);
  }

  @Test
  void findsTheFieldWhenTheBufferDoesNotStartAtZero() {
    ByteBuf framed = Unpooled.buffer();
    framed.writeBytes(new byte[] {(byte) 0x81, 100});
    framed.writeBytes(push("2026-11-23T23:00:51.25Z"));
    framed.readerIndex(2);
    assertThat(Timestamps.commitTimestampMicros(framed)).isEqualTo(micros("2026-11-23T23:00:51.25Z"));
  }
}
