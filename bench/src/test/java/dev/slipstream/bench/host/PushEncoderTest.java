package dev.slipstream.bench.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.bench.net.Timestamps;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PushEncoderTest {

  @Test
  void encodesAnInsertAsAPushTheLoadGeneratorReads() throws IOException {
    PushEncoder encoder = new PushEncoder("realtime:bench");
    encoder.relation(relation());
    ByteBuffer insert = insert();
    assertThat(encoder.table(insert)).isEqualTo("bench_bare");

    long commit = 1_764_720_000_123_456L; // 2025-12-03T00:00:00.123456Z
    byte[] json = encoder.insert(insert, commit);

    String text = new String(json, StandardCharsets.UTF_8);
    assertThat(text).startsWith("[null,null,\"realtime:bench\",\"postgres_changes\",{")
        .contains("\"record\":{\"id\":7,\"phase\":3,\"body\":\"x\\\"y\",\"note\":null}");
    assertThat(Timestamps.commitTimestampMicros(Unpooled.wrappedBuffer(json))).isEqualTo(commit);
    assertThat(Timestamps.longField(Unpooled.wrappedBuffer(json), Timestamps.key("phase"))).isEqualTo(3);
  }

  /** 'R', id 42, public.bench_bare, identity 'd', columns id int8, phase int4, body text, note text. */
  private static ByteBuffer relation() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte('R');
    out.writeInt(42);
    cstring(out, "public");
    cstring(out, "bench_bare");
    out.writeByte('d');
    out.writeShort(4);
    column(out, "id", 20);
    column(out, "phase", 23);
    column(out, "body", 25);
    column(out, "note", 25);
    return ByteBuffer.wrap(bytes.toByteArray());
  }

  private static ByteBuffer insert() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte('I');
    out.writeInt(42);
    out.writeByte('N');
    out.writeShort(4);
    text(out, "7");
    text(out, "3");
    text(out, "x\"y");
    out.writeByte('n');
    return ByteBuffer.wrap(bytes.toByteArray());
  }

  private static void column(DataOutputStream out, String name, int type) throws IOException {
    out.writeByte(0);
    cstring(out, name);
    out.writeInt(type);
    out.writeInt(-1);
  }

  private static void text(DataOutputStream out, String value) throws IOException {
    byte[] b = value.getBytes(StandardCharsets.UTF_8);
    out.writeByte('t');
    out.writeInt(b.length);
    out.write(b);
  }

  private static void cstring(DataOutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
    out.writeByte(0);
  }
}
