package dev.slipstream.bench.host;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.bench.core.ChildProtocol;
import dev.slipstream.bench.net.PgReplicationReader;
import dev.slipstream.runtime.transport.WebSocketFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The floor of fan-out on this box for the latency scenario: the bare pipeline. One pgjdbc
 * replication reader on a slot of its own (pgoutput, the runtime's publication) and, for each
 * Insert into {@code table}, one JSON encode ({@link PushEncoder}), one pre-framed WebSocket frame,
 * written to every joined client of a minimal Netty server ({@link MinimalWebSocketServer}) by one
 * task per event loop, which takes every frame queued for the loop by then and flushes each client
 * once (so a loop that is behind writes several events per syscall). No routing, filters or
 * authorisation.
 * A client more than {@code maxPendingBytes} behind is closed and counted, as the runtime closes a
 * slow client (its default: 16 × 1 MiB), so that neither holds unbounded memory.
 *
 * <p>Arguments {@code key=value}: host, port, database, user, password, slot, publication, table,
 * maxPendingBytes, topic (of the pushes; default {@code realtime:bench}). Commands: {@code stats}
 * (subscriptions, rows forwarded, slow clients closed), {@code measure} (memory after GC).
 */
public final class BarePipelineServer {

  private final JoinedChannels joined = new JoinedChannels();
  private final PushEncoder encoder;
  private final AtomicLong forwarded = new AtomicLong();
  private final AtomicLong slowClosed = new AtomicLong();
  private final Map<EventLoop, LoopQueue> queues = new ConcurrentHashMap<>();
  private final String table;
  private final long maxPendingBytes;

  private BarePipelineServer(String topic, String table, long maxPendingBytes) {
    this.encoder = new PushEncoder(topic);
    this.table = table;
    this.maxPendingBytes = maxPendingBytes;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      a.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    BarePipelineServer server = new BarePipelineServer(a.getOrDefault("topic", "realtime:bench"), a.get("table"),
        Long.parseLong(a.getOrDefault("maxPendingBytes", Long.toString(16L << 20))));
    String url = "jdbc:postgresql://" + a.get("host") + ":" + a.get("port") + "/" + a.get("database");
    try (PgReplicationReader reader = PgReplicationReader.start(url, a.get("user"), a.get("password"), a.get("slot"),
        a.get("publication"), server::onMessage)) {
      MinimalWebSocketServer.serve(server.joined::newHandler, line -> switch (line) {
        case "stats" -> ChildProtocol.object().put("subscriptions", server.joined.size())
            .put("forwarded", server.forwarded.get()).put("slow_clients_closed", server.slowClosed.get())
            .put("reader_failure", String.valueOf(reader.failure()));
        case "measure" -> MemoryProbe.measure();
        default -> throw new IllegalArgumentException("unknown command " + line);
      });
    }
    System.exit(0);
  }

  /** On the reader's thread. */
  private void onMessage(long commitMicros, long receivedMicros, ByteBuffer message) {
    switch (message.get(message.position())) {
      case 'R' -> encoder.relation(message);
      case 'I' -> {
        if (table.equals(encoder.table(message))) {
          forwarded.incrementAndGet();
          fanOut(WebSocketFrames.text(PooledByteBufAllocator.DEFAULT, encoder.insert(message, commitMicros)));
        }
      }
      default -> { }
    }
  }

  /**
   * Hands {@code frame} to every event loop that has members: into the loop's queue, with a drain
   * task scheduled unless one is already pending. Releases the caller's reference.
   */
  private void fanOut(ByteBuf frame) {
    joined.eachLoop((loop, channels) -> {
      LoopQueue queue = queues.computeIfAbsent(loop, l -> new LoopQueue());
      queue.frames.add(frame.retain());
      if (queue.scheduled.compareAndSet(false, true)) {
        loop.execute(() -> drain(queue, channels));
      }
    });
    frame.release();
  }

  /**
   * On the loop: every frame queued so far goes to every member, one write each and one flush per
   * member. A loop that is behind finds several frames and flushes once for all of them: the
   * least a server can do per event and per syscall, which is the floor the runtime is held to.
   */
  private void drain(LoopQueue queue, List<Channel> channels) {
    queue.scheduled.set(false);
    List<ByteBuf> frames = new ArrayList<>();
    for (ByteBuf f; (f = queue.frames.poll()) != null; ) {
      frames.add(f);
    }
    if (frames.isEmpty()) {
      return; // an earlier drain took them
    }
    try {
      List<Channel> slow = null;
      for (Channel channel : channels) {
        ChannelOutboundBuffer pending = channel.unsafe().outboundBuffer();
        if (pending != null && pending.totalPendingWriteBytes() > maxPendingBytes) {
          if (slow == null) {
            slow = new ArrayList<>();
          }
          slow.add(channel);
          continue;
        }
        for (ByteBuf frame : frames) {
          channel.write(frame.retainedDuplicate(), channel.voidPromise());
        }
        channel.flush();
      }
      if (slow != null) {
        // Closed after the loop: closing removes the channel from the list being walked.
        slowClosed.addAndGet(slow.size());
        slow.forEach(Channel::close);
      }
    } finally {
      frames.forEach(ByteBuf::release);
    }
  }

  /** Frames waiting for one event loop, and whether a drain task is pending there. */
  private static final class LoopQueue {
    final Queue<ByteBuf> frames = new ConcurrentLinkedQueue<>();
    final AtomicBoolean scheduled = new AtomicBoolean();
  }
}
