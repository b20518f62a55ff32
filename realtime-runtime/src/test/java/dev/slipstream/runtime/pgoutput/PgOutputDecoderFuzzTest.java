package dev.slipstream.runtime.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever the bytes, decoding returns a message or throws {@link PgOutputDecodeException}:
 * nothing else escapes (no IndexOutOfBounds, BufferUnderflow, NegativeArraySize, OutOfMemory)
 * and nothing hangs. Inputs are random bytes, every truncation of every captured message, and
 * captured messages with one byte changed.
 */
class PgOutputDecoderFuzzTest {

  private static final List<PgOutputFixture> FIXTURES = PgOutputFixture.all();

  /** Decoding a message of at most a few kB is microseconds; a second means a hang. */
  private static final long TIME_LIMIT_MILLIS = 1_000;

  private static final ExecutorService WATCHDOG = Executors.newSingleThreadExecutor(task -> {
    Thread thread = new Thread(task, "pgoutput-fuzz-decode");
    thread.setDaemon(true);
    return thread;
  });

  /** The decoder's message types, the two-phase ones it refuses, and a few it has never heard of. */
  private static final byte[] TYPE_BYTES =
      "BCORYIUDTMSEcAbPKrpxw\0".getBytes(StandardCharsets.US_ASCII);

  /** Bytes that often make a field look valid: NULs, small counts, tuple kinds and markers. */
  private static final byte[] STRUCTURE_BYTES = "\0\0\0\1\2\3ntubNKOdfi".getBytes(
      StandardCharsets.US_ASCII);

  @Property(tries = 3000)
  void randomBytesDecodeOrFailCleanly(@ForAll("randomMessages") byte[] message,
      @ForAll("decoderStates") DecoderState state) {
    decodeOrFailCleanly(state.create(), message);
  }

  @Property(tries = 3000)
  void realMessagesWithOneByteChangedDecodeOrFailCleanly(@ForAll("mutations") Mutation mutation) {
    decodeOrFailCleanly(mutation.decoder(), mutation.bytes());
  }

  @Example
  void everyTruncationOfEveryRealMessageFailsCleanly() {
    int checked = 0;
    for (PgOutputFixture fixture : FIXTURES) {
      PgOutputDecoder decoder = fixture.decoder();
      for (byte[] message : fixture.messages()) {
        // A failed decode leaves the decoder's state alone, so one decoder walks the fixture.
        for (int length = 0; length < message.length; length++) {
          Object outcome = decodeOrFailCleanly(decoder, Arrays.copyOf(message, length));
          assertThat(outcome).as("%s: prefix of %d of %d bytes of %s", fixture.name(), length,
              message.length, HexFormat.of().formatHex(message))
              .isInstanceOf(PgOutputDecodeException.class);
          checked++;
        }
        byte[] longer = Arrays.copyOf(message, message.length + 1);
        assertThat(decodeOrFailCleanly(decoder, longer)).as("%s: one byte appended", fixture.name())
            .isInstanceOf(PgOutputDecodeException.class);
        assertThat(decodeOrFailCleanly(decoder, message)).isInstanceOf(PgOutputMessage.class);
      }
    }
    int totalBytes = FIXTURES.stream().flatMap(f -> f.messages().stream())
        .mapToInt(m -> m.length).sum();
    assertThat(checked).isEqualTo(totalBytes).isGreaterThan(5_000);
  }

  /**
   * Decodes on a watchdog thread; returns the message or the PgOutputDecodeException, and fails
   * the test for any other throwable or a decode that does not finish in time.
   */
  private static Object decodeOrFailCleanly(PgOutputDecoder decoder, byte[] message) {
    Future<PgOutputMessage> result = WATCHDOG.submit(() -> decoder.decode(message));
    try {
      PgOutputMessage decoded = result.get(TIME_LIMIT_MILLIS, TimeUnit.MILLISECONDS);
      assertThat(decoded).isNotNull();
      return decoded;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof PgOutputDecodeException expected) {
        assertThat(expected.getMessage()).isNotBlank();
        return expected;
      }
      return fail("decoding " + HexFormat.of().formatHex(message) + " threw "
          + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      result.cancel(true);
      return fail("decoding " + HexFormat.of().formatHex(message) + " did not finish within "
          + TIME_LIMIT_MILLIS + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted");
    }
  }

  @Provide
  Arbitrary<byte[]> randomMessages() {
    Arbitrary<Byte> type = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, Arbitraries.of(boxed(TYPE_BYTES))),
        net.jqwik.api.Tuple.of(1, Arbitraries.bytes()));
    Arbitrary<Byte> bodyByte = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(1, Arbitraries.of(boxed(STRUCTURE_BYTES))),
        net.jqwik.api.Tuple.of(1, Arbitraries.bytes()));
    Arbitrary<List<Byte>> body = bodyByte.list().ofMaxSize(400);
    return Combinators.combine(type, body).as((first, rest) -> {
      byte[] message = new byte[rest.size() + 1];
      message[0] = first;
      for (int i = 0; i < rest.size(); i++) {
        message[i + 1] = rest.get(i);
      }
      return message;
    });
  }

  @Provide
  Arbitrary<DecoderState> decoderStates() {
    List<DecoderState> states = new ArrayList<>();
    for (int version = 1; version <= 4; version++) {
      for (StreamingMode mode : StreamingMode.values()) {
        if (version >= mode.minimumProtocolVersion()) {
          states.add(new DecoderState(version, mode, false));
          if (mode != StreamingMode.OFF) {
            states.add(new DecoderState(version, mode, true));
          }
        }
      }
    }
    return Arbitraries.of(states);
  }

  @Provide
  Arbitrary<Mutation> mutations() {
    Arbitrary<Byte> replacement = Arbitraries.oneOf(Arbitraries.bytes(),
        Arbitraries.of((byte) 0, (byte) 0xff, (byte) 0x7f, (byte) 0x80, (byte) 1));
    return Combinators.combine(
            Arbitraries.integers().between(0, FIXTURES.size() - 1),
            Arbitraries.integers().between(0, Integer.MAX_VALUE),
            Arbitraries.integers().between(0, Integer.MAX_VALUE),
            replacement)
        .as((fixture, message, position, value) -> {
          PgOutputFixture chosen = FIXTURES.get(fixture);
          int index = message % chosen.messages().size();
          return new Mutation(chosen, index, position % chosen.messages().get(index).length, value);
        });
  }

  /** A decoder configuration, optionally already inside a streamed block. */
  record DecoderState(int protocolVersion, StreamingMode streaming, boolean inStreamedBlock) {
    PgOutputDecoder create() {
      PgOutputDecoder decoder = new PgOutputDecoder(protocolVersion, streaming);
      if (inStreamedBlock) {
        decoder.decode(WireBytes.message('S').int32(1234).int8(1).toBytes());
      }
      return decoder;
    }
  }

  /** Message {@code index} of a fixture with the byte at {@code position} set to {@code value}. */
  record Mutation(PgOutputFixture fixture, int index, int position, byte value) {
    /** A decoder in the state it had just before this message when the fixture was decoded. */
    PgOutputDecoder decoder() {
      return fixture.decoderBefore(index);
    }

    byte[] bytes() {
      byte[] bytes = fixture.message(index);
      bytes[position] = value;
      return bytes;
    }

    @Override
    public String toString() {
      return fixture.name() + " message " + index + ", byte " + position + " set to "
          + String.format("0x%02x", value);
    }
  }

  private static Byte[] boxed(byte[] bytes) {
    Byte[] boxed = new Byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      boxed[i] = bytes[i];
    }
    return boxed;
  }
}
