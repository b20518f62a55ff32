package dev.slipstream.runtime.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class PgOutputReaderTest {

  @Test
  void readsBigEndianPrimitivesAndStringsInOrder() {
    byte[] bytes = new WireBytes().int8(0xfe).int16(-2).int32(0x01020304)
        .int64(0x0102030405060708L).string("Grüße").int32(0xffffffff).bytes(new byte[] {9, 8})
        .toBytes();
    PgOutputReader in = PgOutputReader.of(bytes);

    assertThat(in.readByte("byte")).isEqualTo(0xfe);
    assertThat(in.readInt16("int16")).isEqualTo((short) -2);
    assertThat(in.readInt32("int32")).isEqualTo(0x01020304);
    assertThat(in.readInt64("int64")).isEqualTo(0x0102030405060708L);
    assertThat(in.readString("string")).isEqualTo("Grüße");
    assertThat(in.readUnsignedInt32("xid")).isEqualTo(0xffffffffL);
    assertThat(in.readBytes("bytes", 2)).containsExactly(9, 8);
    assertThat(in.remaining()).isZero();
    in.requireEnd();
  }

  @Test
  void namesMessageFieldOffsetAndBytesNeededWhenShort() {
    PgOutputReader in = PgOutputReader.of(new byte[] {'I', 0, 0});
    in.readByte("type");
    in.describeAs("Insert ('I')");

    assertThatThrownBy(() -> in.readInt32("relation OID"))
        .isInstanceOf(PgOutputDecodeException.class)
        .hasMessage("Insert ('I') of 3 bytes, at offset 1: relation OID needs 4 bytes, 2 available");
  }

  @Test
  void failsFastOnCountsThatCannotFitInsteadOfAllocating() {
    PgOutputReader in = PgOutputReader.of(new WireBytes().int32(Integer.MAX_VALUE).int8(1)
        .toBytes());

    assertThatThrownBy(() -> in.readCount32("column count", 10))
        .isInstanceOf(PgOutputDecodeException.class)
        .hasMessageContaining("at offset 0: column count 2147483647 needs at least 21474836470"
            + " more bytes, 1 available");
  }

  @Test
  void rejectsNegativeCountsAndLengths() {
    assertThatThrownBy(() -> PgOutputReader.of(new WireBytes().int16(-1).toBytes())
        .readCount16("column count", 1))
        .isInstanceOf(PgOutputDecodeException.class)
        .hasMessageContaining("column count -1 is negative");
    assertThatThrownBy(() -> PgOutputReader.of(new WireBytes().int32(-5).toBytes())
        .readLengthPrefixedBytes("content"))
        .isInstanceOf(PgOutputDecodeException.class)
        .hasMessageContaining("offset 0: content length -5 is negative");
    assertThatThrownBy(() -> PgOutputReader.of(new byte[0]).readBytes("content", -1))
        .isInstanceOf(PgOutputDecodeException.class)
        .hasMessageContaining("content has negative length -1");
  }

  @Test
  void rejectsLengthsLongerThanTheMessage() {
    PgOutputReader in = PgOutputReader.of(new WireBytes().int32(Integer.MAX_VALUE).int8(1)
        .toBytes());

    assertThatThrownBy(() -> in.readLengthPrefixedBytes("content"))
        .isInstanceOf(PgOutputDecodeException.class)
        .hasMessageContaining("offset 4: content needs 2147483647 bytes, 1 available");
  }

  @Test
  void rejectsUnterminatedAndMalformedStrings() {
    assertThatThrownBy(() -> PgOutputReader.of(new byte[] {'a', 'b'}).readString("prefix"))
        .isInstanceOf(PgOutputDecodeException.class)
        .hasMessageContaining("prefix (String) has no NUL terminator in the remaining 2 bytes");
    assertThatThrownBy(() -> PgOutputReader.of(new byte[] {(byte) 0xc3, 0x28, 0}).readString("name"))
        .isInstanceOf(PgOutputDecodeException.class)
        .hasMessageContaining("name (String) is not valid UTF-8");
  }

  @Test
  void emptyStringIsJustTheTerminator() {
    PgOutputReader in = PgOutputReader.of(new byte[] {0, 7});

    assertThat(in.readString("namespace")).isEmpty();
    assertThat(in.offset()).isEqualTo(1);
  }

  @Test
  void trailingBytesAreAnError() {
    PgOutputReader in = PgOutputReader.of(new byte[] {1, 2, 3});
    in.readByte("flags");

    assertThatThrownBy(in::requireEnd)
        .isInstanceOf(PgOutputDecodeException.class)
        .hasMessageContaining("at offset 1: 2 unexpected trailing bytes");
  }

  @Test
  void readsFromPositionToLimitWithoutMovingTheCallersBuffer() {
    ByteBuffer buffer = ByteBuffer.wrap(new byte[] {99, 0, 5, 99});
    buffer.position(1).limit(3);
    PgOutputReader in = new PgOutputReader(buffer);

    assertThat(in.length()).isEqualTo(2);
    assertThat(in.readInt16("value")).isEqualTo((short) 5);
    assertThat(in.offset()).isEqualTo(2);
    assertThat(buffer.position()).isEqualTo(1);
    assertThat(buffer.limit()).isEqualTo(3);
  }
}
