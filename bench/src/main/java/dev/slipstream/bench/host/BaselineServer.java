package dev.slipstream.bench.host;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.bench.core.ChildProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The baseline server: the least a Netty WebSocket server can do for the same clients. It accepts
 * WebSocket connections on the runtime's path, answers every Phoenix message with an ok reply (so
 * the load generator's join completes), and on {@code fire <k>} writes one pre-framed buffer
 * (loaded with {@code load <file>}: a frame the runtime really sent) {@code k} times to every
 * joined connection and flushes once, from one task per event loop. Same Netty version, same
 * transport, same event loop count as the runtime. {@code measure} reports memory after GC.
 */
public final class BaselineServer {

  private final JoinedChannels joined = new JoinedChannels();
  private volatile ByteBuf frame = Unpooled.EMPTY_BUFFER;

  private BaselineServer() {
  }

  public static void main(String[] args) throws Exception {
    new BaselineServer().run();
    System.exit(0);
  }

  private void run() throws Exception {
    MinimalWebSocketServer.serve(joined::newHandler, this::command);
  }

  private ObjectNode command(String line) {
    String[] parts = line.split(" ", 2);
    return switch (parts[0]) {
      case "load" -> load(Path.of(parts[1]));
      case "fire" -> fire(Integer.parseInt(parts[1]));
      case "stats" -> ChildProtocol.object().put("subscriptions", joined.size());
      case "measure" -> MemoryProbe.measure();
      case "histogram" -> MemoryProbe.histogram();
      default -> throw new IllegalArgumentException("unknown command " + line);
    };
  }

  private ObjectNode load(Path payload) {
    try {
      byte[] text = Files.readAllBytes(payload);
      ByteBuf old = frame;
      frame = dev.slipstream.runtime.transport.WebSocketFrames.text(PooledByteBufAllocator.DEFAULT, text);
      old.release();
      return ChildProtocol.object().put("bytes", frame.readableBytes());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private ObjectNode fire(int times) {
    ByteBuf bytes = frame;
    joined.forEachLoop(channels -> {
      for (Channel channel : channels) {
        for (int i = 0; i < times; i++) {
          channel.write(bytes.retainedDuplicate(), channel.voidPromise());
        }
        channel.flush();
      }
    }).forEach(Future::syncUninterruptibly);
    return ChildProtocol.object().put("fired", times);
  }
}
