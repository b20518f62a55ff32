package dev.slipstream.runtime.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.runtime.pgoutput.PgOutputMessage.Insert;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.StreamStart;
import java.nio.ByteBuffer;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What no PostgreSQL we negotiated with sends: each is an error that says what and where. */
class PgOutputDecoderRejectsTest {

  private final PgOutputDecoder plain = new PgOutputDecoder(4, StreamingMode.OFF);
  private final PgOutputDecoder streaming = new PgOutputDecoder(4, StreamingMode.ON);

  @Test
  void emptyMessage() {
    assertRejects(plain, new byte[0]).hasMessageContaining("message type byte needs 1 byte, 0");
  }

  @Test
  void unknownMessageTypeIsNamedNotSkipped() {
    assertRejects(plain, new byte[] {'x', 1, 2})
        .hasMessageContaining("offset 0: unknown pgoutput message type 'x' (0x78)");
    assertRejects(plain, new byte[] {0x07}).hasMessageContaining("message type 0x07");
  }

  @ParameterizedTest
  @CsvSource({"b,Begin Prepare", "P,Prepare", "K,Commit Prepared", "r,Rollback Prepared",
      "p,Stream Prepare"})
  void twoPhaseCommitMessagesAreRefused(char type, String name) {
    assertRejects(streaming, new byte[] {(byte) type, 0, 0, 0, 0})
        .hasMessageContaining("two-phase commit message " + name + " ('" + type + "'")
        .hasMessageContaining("never enables the two_phase option");
  }

  @Test
  void trailingBytesAfterACompleteMessage() {
    byte[] stop = {'E', 0};
    streaming.decode(WireBytes.message('S').int32(7).int8(1).toBytes());

    assertRejects(streaming, stop)
        .hasMessage("Stream Stop ('E') of 2 bytes, at offset 1: 1 unexpected trailing bytes after"
            + " the last field");
  }

  @ParameterizedTest
  @ValueSource(chars = {'S', 'E', 'c', 'A'})
  void streamMessagesWithoutNegotiatedStreaming(char type) {
    assertRejects(plain, new byte[] {(byte) type, 0, 0, 0, 1, 0})
        .hasMessageContaining("stream message received but streaming was not negotiated");
  }

  @Test
  void streamBlocksDoNotNest() {
    byte[] start = WireBytes.message('S').int32(7).int8(1).toBytes();
    streaming.decode(start);

    assertRejects(streaming, start).hasMessageContaining("Stream Start inside a streamed block");
    assertRejects(streaming, WireBytes.message('B').int64(1).int64(2).int32(3).toBytes())
        .hasMessageContaining("Begin ('B')").hasMessageContaining("not allowed between Stream");
    assertRejects(streaming, WireBytes.message('c').int32(7).int8(0).int64(1).int64(2).int64(3)
        .toBytes()).hasMessageContaining("Stream Commit ('c')");
    assertThat(streaming.inStreamedBlock()).isTrue();
  }

  @Test
  void streamStopOutsideABlock() {
    assertRejects(streaming, new byte[] {'E'})
        .hasMessageContaining("Stream Stop outside a streamed block");
  }

  @Test
  void insideABlockChangesCarryTheXidAndItMustBeValid() {
    streaming.decode(WireBytes.message('S').int32(7).int8(1).toBytes());
    byte[] insert = WireBytes.message('I').int32(7).int32(16389).int8('N').int16(1).text("a")
        .toBytes();

    assertThat(streaming.decode(insert)).isEqualTo(
        new Insert(7, 16389, TupleData.of(ColumnValue.Text.of("a"))));
    assertRejects(streaming, WireBytes.message('I').int32(0).int32(16389).int8('N').int16(0)
        .toBytes()).hasMessageContaining("offset 1: streamed transaction xid is 0");
  }

  @Test
  void xidsAreUnsigned() {
    StreamStart start = (StreamStart) streaming.decode(
        WireBytes.message('S').int32(0xfffffffe).int8(0).toBytes());

    assertThat(start.xid()).isEqualTo(4_294_967_294L);
  }

  @Test
  void unknownTupleMarkersAndColumnKinds() {
    assertRejects(plain, WireBytes.message('I').int32(1).int8('X').toBytes())
        .hasMessageContaining("offset 5: expected new tuple marker 'N', found 'X' (0x58)");
    assertRejects(plain, WireBytes.message('U').int32(1).int8('K').int16(0).int8('K').toBytes())
        .hasMessageContaining("offset 8: expected new tuple marker 'N' after the old tuple, found 'K'");
    assertRejects(plain, WireBytes.message('U').int32(1).int8('x').toBytes())
        .hasMessageContaining("offset 5: expected tuple marker 'K', 'O' or 'N', found 'x'");
    assertRejects(plain, WireBytes.message('D').int32(1).int8('N').int16(0).toBytes())
        .hasMessageContaining("expected old tuple marker 'K' or 'O', found 'N'");
    assertRejects(plain, WireBytes.message('I').int32(1).int8('N').int16(2).int8('n').int8('z')
        .toBytes()).hasMessageContaining("offset 9: new tuple column 1 has unknown kind 'z'");
  }

  @Test
  void unknownReplicaIdentity() {
    assertRejects(plain, WireBytes.message('R').int32(1).string("public").string("t").int8('x')
        .int16(0).toBytes()).hasMessageContaining("offset 14: unknown replica identity 'x'");
  }

  @Test
  void hugeCountsFailBeforeAllocating() {
    assertRejects(plain, WireBytes.message('R').int32(1).string("").string("t").int8('d')
        .int16(Short.MAX_VALUE).toBytes())
        .hasMessageContaining("column count 32767 needs at least 327670 more bytes, 0 available");
    assertRejects(plain, WireBytes.message('T').int32(Integer.MAX_VALUE).int8(0).toBytes())
        .hasMessageContaining("relation count 2147483647 needs at least 8589934588 more bytes");
    assertRejects(plain, WireBytes.message('M').int8(1).int64(1).string("p")
        .int32(Integer.MAX_VALUE).toBytes())
        .hasMessageContaining("content needs 2147483647 bytes, 0 available");
    assertRejects(plain, WireBytes.message('I').int32(1).int8('N').int16(-1).toBytes())
        .hasMessageContaining("new tuple column count -1 is negative");
  }

  @Test
  void flagsThatAreBooleansOnTheWire() {
    assertRejects(plain, WireBytes.message('M').int8(2).int64(1).string("p").int32(0).toBytes())
        .hasMessageContaining("flags 2 are neither 0 nor 1");
    assertRejects(streaming, WireBytes.message('S').int32(7).int8(9).toBytes())
        .hasMessageContaining("first segment flag 9 is neither 0 nor 1");
  }

  @Test
  void failedMessagesDoNotChangeTheStreamState() {
    assertRejects(streaming, WireBytes.message('S').int32(7).toBytes());
    assertThat(streaming.inStreamedBlock()).isFalse();
  }

  @Test
  void decodesFromTheBuffersPositionWithoutMovingIt() {
    byte[] framed = WireBytes.message('w').bytes(WireBytes.message('S').int32(9).int8(1).toBytes())
        .int8('!').toBytes();
    ByteBuffer buffer = ByteBuffer.wrap(framed).position(1).limit(framed.length - 1);

    assertThat(streaming.decode(buffer)).isEqualTo(new StreamStart(9, true));
    assertThat(buffer.position()).isEqualTo(1);
  }

  @Test
  void protocolVersionMustSupportTheStreamingMode() {
    assertThatThrownBy(() -> new PgOutputDecoder(1, StreamingMode.ON))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 2 or later");
    assertThatThrownBy(() -> new PgOutputDecoder(3, StreamingMode.PARALLEL))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 4 or later");
    assertThatThrownBy(() -> new PgOutputDecoder(5, StreamingMode.OFF))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 4");
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertRejects(
      PgOutputDecoder decoder, byte[] message) {
    return assertThatThrownBy(() -> decoder.decode(message))
        .isExactlyInstanceOf(PgOutputDecodeException.class);
  }
}
