package dev.slipstream.runtime.relay;

import static dev.slipstream.runtime.change.ChangeFixtures.COMMIT_TIME;
import static dev.slipstream.runtime.change.ChangeFixtures.INVOICES;
import static dev.slipstream.runtime.change.ChangeFixtures.MESSAGES;
import static dev.slipstream.runtime.change.ChangeFixtures.ROOMS;
import static dev.slipstream.runtime.change.ChangeFixtures.column;
import static dev.slipstream.runtime.change.ChangeFixtures.delete;
import static dev.slipstream.runtime.change.ChangeFixtures.insert;
import static dev.slipstream.runtime.change.ChangeFixtures.key;
import static dev.slipstream.runtime.change.ChangeFixtures.message;
import static dev.slipstream.runtime.change.ChangeFixtures.position;
import static dev.slipstream.runtime.change.ChangeFixtures.table;
import static dev.slipstream.runtime.change.ChangeFixtures.tuple;
import static dev.slipstream.runtime.change.ChangeFixtures.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.ChangeEvent.DatabaseMessage;
import dev.slipstream.runtime.change.ChangeEvent.TableTruncate;
import dev.slipstream.runtime.change.TableSchema;
import dev.slipstream.runtime.change.json.PgType;
import dev.slipstream.runtime.payload.ChangeJsonEncoder;
import dev.slipstream.runtime.pgoutput.ColumnValue;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Events, schemas and control frames through the relay's codec and back. */
class RelayCodecTest {

  private static final UnpooledByteBufAllocator ALLOCATOR = new UnpooledByteBufAllocator(false);

  /** An enum, an array of it, a domain over int4, an array of a domain, an unknown OID, and box[] (';'). */
  private static final PgType MOOD = PgType.userDefined(16_500, "public", "mood");
  private static final PgType MOODS = PgType.userDefined(16_499, "public", "_mood");
  private static final PgType POSITIVE = PgType.domain(16_600, "public", "positive", PgType.INT4);
  private static final PgType POSITIVES = PgType.arrayOf(16_601, "public", "_positive", POSITIVE);
  private static final PgType UNKNOWN = PgType.of(99_999);
  private static final TableSchema MOODS_TABLE = table(16_700, "app", "moods", key("id", PgType.INT8),
      column("mood", MOOD), column("history", MOODS), column("score", POSITIVE), column("scores", POSITIVES),
      column("thing", UNKNOWN), column("boxes", PgType.builtIn(1020)), column("tags", PgType.builtIn(1009)),
      column("doc", PgType.JSONB), column("at", PgType.TIMESTAMPTZ));

  private final ChangeJsonEncoder json = new ChangeJsonEncoder();

  @Test
  void everyKindOfRowChangeComesBackEqualAndRendersTheSameJson() {
    List<ChangeEvent> events = List.of(
        insert(position(0x16B3748L, 0), MESSAGES, message("1", "lobby", "héllo \"you\"", "12.50", "t")),
        update(position(0x16B3748L, 1), MESSAGES, tuple("1", "lobby", ColumnValue.UNCHANGED_TOAST, null, "f"),
            tuple("1", null, null, null, null)),
        delete(position(0x16B3748L, 2), ROOMS, tuple("7", null)),
        insert(position(0x16B3748L, 3), INVOICES, tuple("9", "lobby", "NaN")),
        new ChangeEvent.RowChange(position(0x16B3748L, 4), COMMIT_TIME, dev.slipstream.runtime.change.ChangeType.INSERT,
            ROOMS, tuple("8", new ColumnValue.Binary(new byte[] {0, 1, (byte) 0xFF})), null));

    List<ChangeEvent> decoded = roundTrip(events);

    assertThat(decoded).isEqualTo(events);
    // One schema per table and chunk: the two MESSAGES events share it.
    assertThat(((ChangeEvent.RowChange) decoded.get(1)).table()).isSameAs(((ChangeEvent.RowChange) decoded.get(0)).table());
    assertSameJson(events, decoded);
  }

  @Test
  void userDefinedTypesArraysAndDomainsKeepEveryPartOfTheirType() {
    ChangeEvent event = insert(position(0x2000L, 0), MOODS_TABLE, tuple("1", "happy", "{happy,\"very sad\"}",
        "42", "{1,2,3}", "(1,2)", "(1,1),(0,0);(2,2),(1,1)", "{a,\"b c\",NULL}", "{\"k\": [1, 2]}",
        "2025-03-14 09:26:53.589793+00"));

    ChangeEvent decoded = roundTrip(List.of(event)).getFirst();

    assertThat(decoded).usingRecursiveComparison().isEqualTo(event);
    List<TableSchema.Column> columns = ((ChangeEvent.RowChange) decoded).table().columns();
    assertThat(columns.get(0).type()).isSameAs(PgType.INT8);
    assertThat(columns.get(6).type()).isSameAs(PgType.builtIn(1020));
    assertThat(columns.get(6).type().delimiter()).isEqualTo(';');
    assertThat(columns.get(2).type().isArray()).isTrue();
    assertThat(columns.get(2).type().elementType().name()).isEqualTo("mood");
    assertThat(columns.get(3).type().rendering()).isEqualTo(PgType.Rendering.INTEGER);
    assertThat(columns.get(4).type().elementType().rendering()).isEqualTo(PgType.Rendering.INTEGER);
    assertThat(columns.get(5).type().toString()).isEqualTo(UNKNOWN.toString());
    assertThat(((ChangeEvent.RowChange) decoded).record()).isEqualTo(((ChangeEvent.RowChange) event).record());
    assertSameJson(List.of(event), List.of(decoded));
  }

  @Test
  void aTruncateOfSeveralTablesAndMessagesComeBackEqual() {
    TableTruncate truncate = new TableTruncate(position(0x3000L, 0), COMMIT_TIME, List.of(MESSAGES, ROOMS, INVOICES),
        true, false);
    TableTruncate restart = new TableTruncate(position(0x3000L, 1), COMMIT_TIME, List.of(ROOMS), false, true);
    DatabaseMessage transactional = new DatabaseMessage(position(0x3000L, 2), COMMIT_TIME, true, "room:lobby",
        "{\"event\":\"x\"}".getBytes(StandardCharsets.UTF_8));
    // Non-transactional: its own LSN, a receive time with nanoseconds, an empty content (a heartbeat).
    DatabaseMessage heartbeat = new DatabaseMessage(position(0x3100L, 0), Instant.parse("2025-03-14T09:26:54.123456789Z"),
        false, "slipstream.heartbeat", new byte[0]);
    List<ChangeEvent> events = List.of(truncate, restart, transactional, heartbeat);

    List<ChangeEvent> decoded = roundTrip(events);

    assertThat(decoded).usingRecursiveComparison().isEqualTo(events);
    assertThat(((TableTruncate) decoded.getFirst()).tables()).isEqualTo(truncate.tables());
    assertThat(((DatabaseMessage) decoded.get(3)).content()).isEmpty();
    assertSameJson(events.subList(0, 2), decoded.subList(0, 2));
  }

  @Test
  void aNullCommitTimeAndGapsInIndexesSurvive() {
    List<ChangeEvent> events = List.of(
        new ChangeEvent.RowChange(position(0x10L, 0), null, dev.slipstream.runtime.change.ChangeType.INSERT, ROOMS,
            tuple("1", "a"), null),
        insert(position(0x10L, 5), ROOMS, tuple("2", "b")),
        insert(position(0x20L, 6), ROOMS, tuple("3", "c")));

    assertThat(roundTrip(events)).isEqualTo(events);
  }

  @Test
  void eachChunkDefinesTheSchemasItUsesSoChunksDecodeAlone() {
    ChunkWriter writer = new ChunkWriter(ALLOCATOR);
    List<ChangeEvent> events = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      events.add(insert(position(0x500L, i), MESSAGES, message(Integer.toString(i), "lobby", "b", "1", "t")));
    }
    writer.event(events.get(0));
    writer.event(events.get(1));
    ByteBuf first = writer.take();
    writer.event(events.get(2));
    ByteBuf second = writer.take();
    try {
      assertThat(ChunkReader.read(Frames.body(first))).isEqualTo(events.subList(0, 2));
      assertThat(ChunkReader.read(Frames.body(second))).isEqualTo(events.subList(2, 3));
    } finally {
      first.release();
      second.release();
    }
  }

  @Test
  void controlFramesComeBackAsSent() {
    byte[] nonce = RelayAuth.nonce();
    byte[] mac = new RelayAuth("secret".getBytes(StandardCharsets.UTF_8)).helloMac(nonce, nonce, "pod-a", true, 7);
    assertThat(read(Frames.hello(ALLOCATOR, new Frames.Hello(1, "pod-a", true, 0xFFFF_FFFF_0000_0001L, nonce, mac)),
        Frames::readHello)).usingRecursiveComparison()
        .isEqualTo(new Frames.Hello(1, "pod-a", true, 0xFFFF_FFFF_0000_0001L, nonce, mac));
    assertThat(read(Frames.challenge(ALLOCATOR, nonce), Frames::readChallenge).nonce()).isEqualTo(nonce);
    assertThat(read(Frames.welcome(ALLOCATOR, new Frames.Welcome(5, 6, 1000, mac)), Frames::readWelcome))
        .usingRecursiveComparison().isEqualTo(new Frames.Welcome(5, 6, 1000, mac));
    assertThat(read(Frames.ack(ALLOCATOR, new Frames.Ack(9, 10)), Frames::readAck)).isEqualTo(new Frames.Ack(9, 10));
    assertThat((long) read(Frames.lsnFrame(ALLOCATOR, Frames.GAP, 42), (ByteBuf body) -> Frames.readLsn(body, "GAP"))).isEqualTo(42L);
    assertThat(read(Frames.refused(ALLOCATOR, "bad_secret"), Frames::readRefused)).isEqualTo("bad_secret");
  }

  @Test
  void garbageAndTruncatedChunksAreRefusedWithAClearMessage() {
    ByteBuf chunk = encode(List.of(insert(position(0x600L, 0), MESSAGES, message("1", "lobby", "hello", "1", "t"))));
    try {
      ByteBuf body = Frames.body(chunk);
      for (int cut = 1; cut < body.readableBytes(); cut++) {
        try {
          // Only a cut right after the schema item leaves a valid (empty) chunk.
          assertThat(ChunkReader.read(body.slice(0, cut))).isEmpty();
        } catch (RelayProtocolException e) {
          assertThat(e).hasMessageMatching("(truncated relay frame: .* needs \\d+ bytes, \\d+ left|.* does not fit .*)");
        }
      }
    } finally {
      chunk.release();
    }
    assertThatThrownBy(() -> ChunkReader.read(Unpooled.wrappedBuffer(new byte[] {0x33, 1, 2})))
        .isInstanceOf(RelayProtocolException.class).hasMessage("unknown chunk item 0x33 at offset 0");
    assertThatThrownBy(() -> ChunkReader.read(Unpooled.wrappedBuffer(new byte[] {(byte) 0x82, 'I', 0})))
        .hasMessageContaining("continues no other");
    assertThatThrownBy(() -> ChunkReader.read(Unpooled.wrappedBuffer(new byte[] {0x01, 0, 0, 0, 1, (byte) 0xFF,
        (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}))).hasMessageContaining("schema name");
    assertThatThrownBy(() -> Frames.readAck(Unpooled.wrappedBuffer(new byte[] {1, 2, 3})))
        .isInstanceOf(RelayProtocolException.class).hasMessage("truncated relay frame: acknowledged LSN needs 8 bytes, 3 left");
    assertThatThrownBy(() -> Frames.readLsn(Unpooled.wrappedBuffer(new byte[9]), "COMMIT"))
        .hasMessage("1 unexpected bytes at the end of a COMMIT frame");
  }

  @Test
  void broadcastFramesComeBackEqual() {
    PodBroadcast text = new PodBroadcast("realtime:room-\u00e9", true, "cursor", "{\"x\":1}".getBytes(
        StandardCharsets.UTF_8), true, false);
    PodBroadcast raw = new PodBroadcast("realtime:bin", false, "blob", new byte[] {0, (byte) 0xFF, 7}, false, true);
    PodBroadcast empty = new PodBroadcast("realtime:e", false, "", new byte[0], true, true);
    for (PodBroadcast broadcast : List.of(text, raw, empty)) {
      for (long id : new long[] {0, 1, Long.MAX_VALUE}) {
        ByteBuf frame = Frames.broadcast(ALLOCATOR, id, broadcast);
        try {
          assertThat(Frames.type(frame)).isEqualTo(Frames.BROADCAST);
          assertThat(frame.getInt(0)).isEqualTo(frame.readableBytes() - Frames.LENGTH_BYTES);
          Frames.Broadcast decoded = Frames.readBroadcast(Frames.body(frame));
          assertThat(decoded.id()).isEqualTo(id);
          assertThat(decoded.broadcast()).usingRecursiveComparison().isEqualTo(broadcast);
        } finally {
          frame.release();
        }
      }
    }
    ByteBuf ack = Frames.broadcastAck(ALLOCATOR, 42);
    try {
      assertThat(Frames.type(ack)).isEqualTo(Frames.BROADCAST_ACK);
      assertThat(Frames.readBroadcastAck(Frames.body(ack))).isEqualTo(42);
    } finally {
      ack.release();
    }
    assertThat(Frames.name(Frames.BROADCAST)).isEqualTo("BROADCAST");
    assertThat(Frames.name(Frames.BROADCAST_ACK)).isEqualTo("BROADCAST_ACK");
  }

  @Test
  void malformedBroadcastFramesAreRefused() {
    byte[] id = new byte[8];
    // unknown flag bit
    assertThatThrownBy(() -> Frames.readBroadcast(Unpooled.wrappedBuffer(id, new byte[] {0x08, 0, 0, 0})))
        .isInstanceOf(RelayProtocolException.class).hasMessage("unknown broadcast flags 0x08");
    // a payload length beyond the frame: refused before anything is allocated
    assertThatThrownBy(() -> Frames.readBroadcast(Unpooled.wrappedBuffer(id, new byte[] {0x02, 1, 't', 1, 'e',
        (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 1})))
        .isInstanceOf(RelayProtocolException.class).hasMessageContaining("broadcast payload length of 2147483647");
    // a topic longer than any tenant allows
    assertThatThrownBy(() -> Frames.readBroadcast(Unpooled.wrappedBuffer(id, new byte[] {0x02, (byte) 0x81, 0x40})))
        .isInstanceOf(RelayProtocolException.class).hasMessage("broadcast topic of 8193 bytes exceeds 4096");
    // trailing bytes, a truncated id
    assertThatThrownBy(() -> Frames.readBroadcast(Unpooled.wrappedBuffer(id, new byte[] {0x02, 0, 0, 0, 9})))
        .isInstanceOf(RelayProtocolException.class).hasMessage("1 unexpected bytes at the end of a BROADCAST frame");
    assertThatThrownBy(() -> Frames.readBroadcast(Unpooled.wrappedBuffer(new byte[] {1, 2})))
        .isInstanceOf(RelayProtocolException.class).hasMessageContaining("broadcast id needs 8 bytes");
    assertThatThrownBy(() -> Frames.readBroadcastAck(Unpooled.wrappedBuffer(new byte[9])))
        .hasMessage("1 unexpected bytes at the end of a BROADCAST_ACK frame");
  }

  @Test
  void presenceFramesCarryTheirMessageAsItIs() {
    for (byte[] message : List.of(new byte[0], "{\"t\":\"view\"}".getBytes(StandardCharsets.UTF_8), new byte[70_000])) {
      ByteBuf frame = Frames.presence(ALLOCATOR, message);
      try {
        assertThat(Frames.type(frame)).isEqualTo(Frames.PRESENCE);
        assertThat(frame.getInt(0)).isEqualTo(frame.readableBytes() - Frames.LENGTH_BYTES);
        assertThat(Frames.readPresence(Frames.body(frame))).isEqualTo(message);
      } finally {
        frame.release();
      }
    }
    assertThat(Frames.name(Frames.PRESENCE)).isEqualTo("PRESENCE");
    assertThatThrownBy(() -> Frames.readPresence(Unpooled.wrappedBuffer(new byte[] {5, 1, 2})))
        .isInstanceOf(RelayProtocolException.class).hasMessageContaining("presence message length of 5");
    assertThatThrownBy(() -> Frames.readPresence(Unpooled.wrappedBuffer(new byte[] {1, 1, 2})))
        .hasMessage("1 unexpected bytes at the end of a PRESENCE frame");
  }

  private static List<ChangeEvent> roundTrip(List<ChangeEvent> events) {
    ByteBuf chunk = encode(events);
    try {
      assertThat(Frames.type(chunk)).isEqualTo(Frames.CHUNK);
      assertThat(chunk.getInt(0)).isEqualTo(chunk.readableBytes() - Frames.LENGTH_BYTES);
      return ChunkReader.read(Frames.body(chunk));
    } finally {
      chunk.release();
    }
  }

  private static ByteBuf encode(List<ChangeEvent> events) {
    ChunkWriter writer = new ChunkWriter(ALLOCATOR);
    events.forEach(writer::event);
    return writer.take();
  }

  private static <T> T read(ByteBuf frame, java.util.function.Function<ByteBuf, T> reader) {
    try {
      return reader.apply(Frames.body(frame));
    } finally {
      frame.release();
    }
  }

  private void assertSameJson(List<ChangeEvent> originals, List<ChangeEvent> decoded) {
    for (int i = 0; i < originals.size(); i++) {
      assertThat(new String(json.clientShape(decoded.get(i)), StandardCharsets.UTF_8))
          .isEqualTo(new String(json.clientShape(originals.get(i)), StandardCharsets.UTF_8));
      assertThat(new String(json.wireShape(decoded.get(i)), StandardCharsets.UTF_8))
          .isEqualTo(new String(json.wireShape(originals.get(i)), StandardCharsets.UTF_8));
    }
  }
}
