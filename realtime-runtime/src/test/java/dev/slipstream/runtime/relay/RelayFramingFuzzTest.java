package dev.slipstream.runtime.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.slipstream.runtime.fuzz.FuzzCases;
import dev.slipstream.runtime.fuzz.FuzzCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzzing of the relay's framing and frame bodies, as a leader or follower reads
 * a peer's bytes: {@link FrameDecoder} cuts the stream (fed in pieces, as TCP delivers it) into
 * frames, and each frame's body goes to its reader ({@link Frames}, {@link ChunkReader},
 * {@link SchemaCodec}). Bad bytes must fail with {@link RelayProtocolException} (the connection
 * is closed), and a frame longer than the limit is refused at its length field, within a small
 * time and allocation budget. The input is a byte choosing the frame limit (4 KiB before the
 * handshake, 1 MiB after), a byte choosing the piece size, then the stream. Long run:
 * {@code bin/fuzz relay}.
 */
class RelayFramingFuzzTest {

  private static final int[] LIMITS = {4096, 1 << 20};

  @FuzzTest
  void stream(byte[] input) {
    FuzzCheck.withinBudget(input, () -> read(input));
  }

  @Test
  void briefRun() {
    assertThat(FuzzCases.run(getClass(), "stream", FuzzCases.BRIEF_CASES, this::stream))
        .isGreaterThanOrEqualTo(FuzzCases.BRIEF_CASES);
  }

  static void read(byte[] input) {
    if (input.length < 2) {
      return;
    }
    FrameDecoder decoder = new FrameDecoder(LIMITS[input[0] & 1]);
    int piece = 1 + (input[1] & 0xff);
    ByteBuf cumulation = Unpooled.buffer();
    List<Object> frames = new ArrayList<>();
    try {
      for (int at = 2; at < input.length; at += piece) {
        cumulation.writeBytes(input, at, Math.min(piece, input.length - at));
        while (cumulation.isReadable()) {
          int before = cumulation.readableBytes();
          try {
            decoder.decode(null, cumulation, frames);
          } catch (RelayProtocolException refused) {
            assertThat(cumulation.isReadable()).as("input after a refused frame is dropped").isFalse();
            return; // the handler closes the connection
          }
          if (frames.isEmpty()) {
            assertThat(cumulation.readableBytes()).isEqualTo(before);
            break;
          }
          for (Object frame : frames) {
            readFrame((ByteBuf) frame);
          }
          frames.clear();
        }
        cumulation.discardReadBytes();
      }
    } finally {
      frames.forEach(frame -> ((ByteBuf) frame).release());
      cumulation.release();
    }
  }

  private static void readFrame(ByteBuf frame) {
    try {
      ByteBuf body = Frames.body(frame);
      switch (Frames.type(frame)) {
        case Frames.CHALLENGE -> Frames.readChallenge(body);
        case Frames.HELLO -> Frames.readHello(body);
        case Frames.WELCOME -> Frames.readWelcome(body);
        case Frames.REFUSED -> Frames.readRefused(body);
        case Frames.CHUNK -> ChunkReader.read(body).forEach(Object::toString);
        case Frames.COMMIT -> Frames.readLsn(body, "COMMIT");
        case Frames.GAP -> Frames.readLsn(body, "GAP");
        case Frames.ACK -> Frames.readAck(body);
        case Frames.BROADCAST -> Frames.readBroadcast(body);
        case Frames.BROADCAST_ACK -> Frames.readBroadcastAck(body);
        case Frames.PRESENCE -> Frames.readPresence(body);
        default -> Frames.name(Frames.type(frame)); // the peers refuse it by name
      }
    } catch (RelayProtocolException refused) {
      assertThat(refused.getMessage()).isNotBlank();
    } finally {
      frame.release();
    }
  }
}
