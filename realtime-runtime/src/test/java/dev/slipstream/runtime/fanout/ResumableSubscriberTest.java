package dev.slipstream.runtime.fanout;

import static dev.slipstream.runtime.change.ChangeFixtures.MESSAGES;
import static dev.slipstream.runtime.change.ChangeFixtures.insert;
import static dev.slipstream.runtime.change.ChangeFixtures.message;
import static dev.slipstream.runtime.change.ChangeFixtures.position;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.runtime.change.ChangeEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A subscriber never gets a change twice: repeats, older positions and what a replay covered are dropped. */
class ResumableSubscriberTest {

  private final Recording subscriber = new Recording();

  private static ChangeEvent event(long lsn, int index) {
    return insert(position(lsn, index), MESSAGES, message(lsn + "-" + index, "lobby", "b", "0", "f"));
  }

  private ByteBuf deliver(long lsn, int index) {
    ByteBuf frame = Unpooled.copiedBuffer(Long.toHexString(lsn) + "-" + index, StandardCharsets.UTF_8);
    subscriber.deliver(event(lsn, index), frame);
    return frame;
  }

  @Test
  void repeatsAndOlderPositionsAreDroppedAndReleased() {
    deliver(0x10, 0);
    deliver(0x10, 1);
    ByteBuf repeat = deliver(0x10, 1);
    ByteBuf older = deliver(0x10, 0);
    deliver(0x20, 0);

    assertThat(subscriber.sent).containsExactly("10-0", "10-1", "20-0");
    assertThat(repeat.refCnt()).isZero();
    assertThat(older.refCnt()).isZero();
  }

  @Test
  void whatAReplayCoveredIsNotSentAgain() {
    subscriber.replayedThrough(position(0x20, 1));

    deliver(0x10, 5);
    deliver(0x20, 1);
    deliver(0x20, 2);

    assertThat(subscriber.sent).containsExactly("20-2");
  }

  @Test
  void aReplayNeverMovesThePositionBack() {
    deliver(0x30, 0);
    subscriber.replayedThrough(position(0x10, 0));

    deliver(0x20, 0);
    deliver(0x30, 1);

    assertThat(subscriber.sent).containsExactly("30-0", "30-1");
  }

  private static final class Recording extends ResumableSubscriber {
    final List<String> sent = new ArrayList<>();

    @Override
    protected void send(ByteBuf frame) {
      sent.add(frame.toString(StandardCharsets.UTF_8));
      frame.release();
    }

    @Override
    public void flush() {
    }

    @Override
    public Object frameKey(ChangeEvent event) {
      return this;
    }

    @Override
    public ByteBuf encode(ChangeEvent event, EncodedChange change, ByteBufAllocator allocator) {
      throw new UnsupportedOperationException();
    }

    @Override
    public EventExecutor executor() {
      throw new UnsupportedOperationException();
    }
  }
}
