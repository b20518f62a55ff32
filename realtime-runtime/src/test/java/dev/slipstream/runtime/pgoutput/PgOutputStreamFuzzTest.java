package dev.slipstream.runtime.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.slipstream.runtime.fuzz.FuzzCases;
import dev.slipstream.runtime.fuzz.FuzzCheck;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing of the pgoutput decoder over a stream of messages, as the replication
 * connection feeds it: whatever the bytes, each message decodes or fails with
 * {@link PgOutputDecodeException} (the one exception the replication source handles: log,
 * reconnect), within a small time and allocation budget; a rejected message leaves the decoder's
 * streamed-block state as it was. The input is a decoder configuration byte (protocol version and
 * streaming mode), then messages, each a big-endian u16 length and that many bytes. The long run
 * is {@code bin/fuzz pgoutput} (docs/fuzzing.md); the seeds are the captured fixtures.
 */
class PgOutputStreamFuzzTest {

  @FuzzTest
  void decodeStream(byte[] input) {
    FuzzCheck.withinBudget(input, () -> decodeAll(input));
  }

  @Test
  void briefRun() {
    assertThat(FuzzCases.run(getClass(), "decodeStream", FuzzCases.BRIEF_CASES, this::decodeStream))
        .isGreaterThanOrEqualTo(FuzzCases.BRIEF_CASES);
  }

  static void decodeAll(byte[] input) {
    if (input.length == 0) {
      return;
    }
    PgOutputDecoder decoder = decoder(input[0]);
    ByteBuffer rest = ByteBuffer.wrap(input, 1, input.length - 1);
    while (rest.remaining() >= 2) {
      int length = Math.min(Short.toUnsignedInt(rest.getShort()), rest.remaining());
      ByteBuffer message = rest.slice(rest.position(), length);
      rest.position(rest.position() + length);
      boolean inBlock = decoder.inStreamedBlock();
      try {
        PgOutputMessage decoded = decoder.decode(message);
        assertThat(decoded).isNotNull();
        decoded.toString();
      } catch (PgOutputDecodeException rejected) {
        assertThat(decoder.inStreamedBlock()).as("state after a rejected message").isEqualTo(inBlock);
        assertThat(rejected.getMessage()).isNotBlank();
      }
      assertThat(message.position()).as("the caller's buffer is not moved").isZero();
    }
  }

  static PgOutputDecoder decoder(byte config) {
    List<PgOutputDecoder> decoders = new ArrayList<>();
    for (int version = 1; version <= 4; version++) {
      for (StreamingMode mode : StreamingMode.values()) {
        if (version >= mode.minimumProtocolVersion()) {
          decoders.add(new PgOutputDecoder(version, mode));
        }
      }
    }
    return decoders.get(Byte.toUnsignedInt(config) % decoders.size());
  }
}
