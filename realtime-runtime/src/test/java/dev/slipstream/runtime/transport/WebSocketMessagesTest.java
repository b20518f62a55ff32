package dev.slipstream.runtime.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Frames in, messages out: control frames answered, fragments reassembled, bad ones closed with the RFC's codes. */
class WebSocketMessagesTest {

  private final EmbeddedChannel channel = new EmbeddedChannel(new WebSocketMessages(16));

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
  }

  private int closeCode() {
    Object out = channel.readOutbound();
    assertThat(out).isInstanceOf(CloseWebSocketFrame.class);
    CloseWebSocketFrame close = (CloseWebSocketFrame) out;
    try {
      return close.statusCode();
    } finally {
      close.release();
    }
  }

  @Test
  void aWholeMessagePassesAsItIs() {
    channel.writeInbound(new TextWebSocketFrame("[\"hi\"]"));

    TextWebSocketFrame message = channel.readInbound();
    assertThat(message.text()).isEqualTo("[\"hi\"]");
    message.release();
  }

  @Test
  void fragmentsAreReassembledIntoOneMessageOfTheFirstFramesType() {
    channel.writeInbound(new TextWebSocketFrame(false, 0, "[\"heart"), new ContinuationWebSocketFrame(false, 0, "bea"),
        new ContinuationWebSocketFrame(true, 0, "t\"]"));
    channel.writeInbound(new BinaryWebSocketFrame(false, 0, Unpooled.wrappedBuffer(new byte[] {1})),
        new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(new byte[] {2})));

    TextWebSocketFrame text = channel.readInbound();
    assertThat(text.text()).isEqualTo("[\"heartbeat\"]");
    text.release();
    BinaryWebSocketFrame binary = channel.readInbound();
    assertThat(binary.content().readableBytes()).isEqualTo(2);
    binary.release();
  }

  @Test
  void aPingIsAnsweredWithItsPayloadAndAPongDropped() {
    channel.writeInbound(new PingWebSocketFrame(Unpooled.copiedBuffer("p", StandardCharsets.UTF_8)),
        new PongWebSocketFrame());

    PongWebSocketFrame pong = channel.readOutbound();
    assertThat(pong.content().toString(StandardCharsets.UTF_8)).isEqualTo("p");
    pong.release();
    assertThat((Object) channel.readInbound()).isNull();
  }

  @Test
  void aCloseIsEchoedAndTheConnectionClosed() {
    channel.writeInbound(new CloseWebSocketFrame(1000, "bye"));

    assertThat(closeCode()).isEqualTo(1000);
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void aMessageOverTheLimitIsClosedWith1009() {
    channel.writeInbound(new TextWebSocketFrame(false, 0, "0123456789"), new ContinuationWebSocketFrame(true, 0,
        "0123456789"));

    assertThat(closeCode()).isEqualTo(1009);
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void aContinuationWithoutAStartOrAStartInsideAMessageIs1002() {
    channel.writeInbound(new ContinuationWebSocketFrame(true, 0, "x"));
    assertThat(closeCode()).isEqualTo(1002);

    EmbeddedChannel other = new EmbeddedChannel(new WebSocketMessages(16));
    other.writeInbound(new TextWebSocketFrame(false, 0, "a"), new TextWebSocketFrame("b"));
    CloseWebSocketFrame close = other.readOutbound();
    assertThat(close.statusCode()).isEqualTo(1002);
    close.release();
    other.finishAndReleaseAll();
  }

  @Test
  void textThatIsNotUtf8Is1007() {
    channel.writeInbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {(byte) 0xC3, (byte) 0x28})));

    assertThat(closeCode()).isEqualTo(1007);
  }
}
