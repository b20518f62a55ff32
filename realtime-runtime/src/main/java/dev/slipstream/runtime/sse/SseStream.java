package dev.slipstream.runtime.sse;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.fanout.EncodedChange;
import dev.slipstream.runtime.fanout.ResumableSubscriber;
import dev.slipstream.runtime.payload.SupabaseChange;
import dev.slipstream.runtime.transport.ClientConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;

/**
 * One Server-Sent Events client. Every SSE client gets the same bytes for a change ({@code id:}
 * the event's position, {@code data:} the change as an application sees it), so they all share
 * one frame.
 */
final class SseStream extends ResumableSubscriber {

  private static final Object FRAME_KEY = SseStream.class;
  private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

  private final ClientConnection connection;
  /** The connection's event loop, kept here: the fan-out asks for it for every change. */
  private final EventExecutor executor;

  SseStream(ClientConnection connection) {
    this.connection = connection;
    this.executor = connection.channel().eventLoop();
  }

  @Override
  public Object frameKey(ChangeEvent event) {
    return FRAME_KEY;
  }

  @Override
  public boolean sameFrameKeyForEveryEvent() {
    return true;
  }

  @Override
  public ByteBuf encode(ChangeEvent event, EncodedChange change, ByteBufAllocator allocator) {
    return frame(allocator, event, change.as(SupabaseChange.CLIENT));
  }

  /** {@code id: <position>\ndata: <json>\n\n}; the JSON has no newlines, so one data line suffices. */
  static ByteBuf frame(ByteBufAllocator allocator, ChangeEvent event, byte[] json) {
    byte[] id = ("id: " + event.position()).getBytes(StandardCharsets.US_ASCII);
    ByteBuf frame = allocator.directBuffer(id.length + DATA.length + json.length + END.length);
    return frame.writeBytes(id).writeBytes(DATA).writeBytes(json).writeBytes(END);
  }

  @Override
  public EventExecutor executor() {
    return executor;
  }

  @Override
  protected void send(ByteBuf frame) {
    connection.queue(frame);
  }

  @Override
  public void flush() {
    connection.flushQueued();
  }

  /** {@code event: error} with the reason; the stream goes on with the next change. */
  @Override
  public void skipped(ChangeEvent event, String reason) {
    String data = "{\"status\":\"error\",\"message\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(reason))
        + "\"}";
    executor.execute(() -> connection.send(Unpooled.copiedBuffer("event: error\ndata: " + data + "\n\n",
        StandardCharsets.UTF_8)));
  }
}
