package dev.slipstream.runtime.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pre-built server frames (RFC 6455 section 5.2): FIN + text opcode, no mask, and the shortest
 * length encoding; and what a client's decoder (Netty's, with masking not expected, as on the
 * client side) makes of them.
 */
class WebSocketFramesTest {

  private static final ByteBufAllocator ALLOCATOR = new UnpooledByteBufAllocator(false);

  /** ASCII text of the given length, varied so that a misplaced byte shows. */
  private static String textOfLength(int length) {
    StringBuilder text = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      text.append((char) ('a' + i % 26));
    }
    return text.toString();
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "{0} payload bytes: {1}-byte header")
  @CsvSource({"0, 2", "1, 2", "125, 2", "126, 4", "127, 4", "65535, 4", "65536, 10", "70000, 10"})
  void headerUsesTheShortestLengthEncoding(int payloadLength, int headerLength) {
    ByteBuf frame = WebSocketFrames.text(ALLOCATOR, utf8(textOfLength(payloadLength)));
    try {
      assertThat(frame.readableBytes()).isEqualTo(headerLength + payloadLength);
      assertThat(frame.getUnsignedByte(0)).as("FIN and text opcode").isEqualTo((short) 0x81);
      int second = frame.getUnsignedByte(1);
      assertThat(second & 0x80).as("mask bit").isZero();
      switch (headerLength) {
        case 2 -> assertThat(second).isEqualTo(payloadLength);
        case 4 -> {
          assertThat(second).isEqualTo(126);
          assertThat(frame.getUnsignedShort(2)).isEqualTo(payloadLength);
        }
        default -> {
          assertThat(second).isEqualTo(127);
          assertThat(frame.getLong(2)).isEqualTo(payloadLength);
        }
      }
      assertThat(frame.toString(headerLength, payloadLength, StandardCharsets.UTF_8))
          .isEqualTo(textOfLength(payloadLength));
    } finally {
      frame.release();
    }
  }

  @Test
  void partsAreConcatenatedIntoOnePayload() {
    ByteBuf frame = WebSocketFrames.text(ALLOCATOR, utf8("[null,null,\"t\",\"e\",{\"data\":"), utf8("{\"a\":1}"),
        utf8("}]"));
    try {
      assertThat((int) frame.getUnsignedByte(1)).isEqualTo(("[null,null,\"t\",\"e\",{\"data\":{\"a\":1}}]").length());
      assertThat(frame.toString(2, frame.readableBytes() - 2, StandardCharsets.UTF_8))
          .isEqualTo("[null,null,\"t\",\"e\",{\"data\":{\"a\":1}}]");
    } finally {
      frame.release();
    }
  }

  @Test
  void theLengthCountsBytesNotCharacters() {
    String text = "café ☕ 🚀";
    ByteBuf frame = WebSocketFrames.text(ALLOCATOR, utf8(text));
    try {
      assertThat((int) frame.getUnsignedByte(1)).isEqualTo(utf8(text).length).isGreaterThan(text.length());
    } finally {
      frame.release();
    }
  }

  @Test
  void partsThatCrossTheLengthBoundaryTogetherGetTheLongerHeader() {
    ByteBuf frame = WebSocketFrames.text(ALLOCATOR, utf8(textOfLength(100)), utf8(textOfLength(26)));
    try {
      assertThat((int) frame.getUnsignedByte(1)).isEqualTo(126);
      assertThat(frame.getUnsignedShort(2)).isEqualTo(126);
    } finally {
      frame.release();
    }
  }

  private static EmbeddedChannel clientDecoder() {
    return new EmbeddedChannel(new WebSocket08FrameDecoder(WebSocketDecoderConfig.newBuilder()
        .expectMaskedFrames(false)
        .maxFramePayloadLength(1 << 20)
        .build()));
  }

  private static String decodeOne(String text) {
    EmbeddedChannel client = clientDecoder();
    client.writeInbound(WebSocketFrames.text(ALLOCATOR, utf8(text)));
    TextWebSocketFrame decoded = client.readInbound();
    try {
      assertThat(decoded.isFinalFragment()).isTrue();
      assertThat((Object) client.readInbound()).isNull();
      return decoded.text();
    } finally {
      decoded.release();
      client.finishAndReleaseAll();
    }
  }

  @ParameterizedTest(name = "{0} payload bytes")
  @ValueSource(ints = {0, 1, 125, 126, 65535, 65536, 200_000})
  void nettysClientDecoderReadsTheSameText(int payloadLength) {
    String text = textOfLength(payloadLength);

    assertThat(decodeOne(text)).isEqualTo(text);
  }

  @Test
  void multiByteTextSurvivesDecoding() {
    String text = "{\"room\":\"café ☕\",\"body\":\"🚀 " + textOfLength(130) + "\"}";

    assertThat(decodeOne(text)).isEqualTo(text);
  }

  @Test
  void framesSentBackToBackDecodeOneByOne() {
    EmbeddedChannel client = clientDecoder();
    ByteBuf stream = ALLOCATOR.buffer();
    for (String text : new String[] {"first", textOfLength(300), textOfLength(70_000), "last"}) {
      ByteBuf frame = WebSocketFrames.text(ALLOCATOR, utf8(text));
      stream.writeBytes(frame);
      frame.release();
    }

    // Split mid-header and mid-payload, as TCP may deliver it.
    client.writeInbound(stream.readRetainedSlice(3));
    client.writeInbound(stream.readRetainedSlice(400));
    client.writeInbound(stream);

    for (String text : new String[] {"first", textOfLength(300), textOfLength(70_000), "last"}) {
      TextWebSocketFrame decoded = client.readInbound();
      assertThat(decoded.text()).isEqualTo(text);
      decoded.release();
    }
    assertThat(client.finishAndReleaseAll()).isFalse();
  }
}
