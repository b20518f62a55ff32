package dev.slipstream.bench.host;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The broadcast baseline: the least a Netty WebSocket server can do to relay realtime-js
 * broadcasts. It answers a {@code phx_join} with an ok reply and remembers the topic, and turns
 * each binary kind-3 broadcast into one kind-4 frame written to every other member of the topic.
 * No protocol checks, no limits, no presence: the ceiling for this machine.
 */
public final class BroadcastRelayServer {

  private final Map<String, Set<Channel>> rooms = new ConcurrentHashMap<>();

  private BroadcastRelayServer() {
  }

  public static void main(String[] args) throws Exception {
    new BroadcastRelayServer().run();
    System.exit(0);
  }

  private void run() throws Exception {
    MinimalWebSocketServer.serve(Relay::new, line -> switch (line) {
      case "measure" -> MemoryProbe.measure();
      default -> throw new IllegalArgumentException("unknown command " + line);
    });
  }

  private final class Relay extends SimpleChannelInboundHandler<WebSocketFrame> {

    private String topic;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      ByteBuf in = frame.content();
      if (frame instanceof TextWebSocketFrame text) {
        String message = text.text();
        if (topic == null && message.contains("\"phx_join\"")) {
          int start = message.indexOf("\"realtime:");
          topic = message.substring(start + 1, message.indexOf('"', start + 1));
          rooms.computeIfAbsent(topic, t -> ConcurrentHashMap.newKeySet()).add(ctx.channel());
          ctx.writeAndFlush(new TextWebSocketFrame("[\"1\",\"1\",\"" + topic
              + "\",\"phx_reply\",{\"status\":\"ok\",\"response\":{\"postgres_changes\":[]}}]"));
        } else if (message.contains("\"heartbeat\"")) {
          ctx.writeAndFlush(new TextWebSocketFrame("[null,\"hb\",\"phoenix\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]"));
        }
        return;
      }
      if (!(frame instanceof BinaryWebSocketFrame) || topic == null) {
        return;
      }
      // kind 3: u8 3, u8 jr, u8 ref, u8 topic, u8 event, u8 meta, u8 enc, jr, ref, topic, event, meta, payload
      int s = in.readerIndex();
      int jr = in.getUnsignedByte(s + 1);
      int ref = in.getUnsignedByte(s + 2);
      int topicLength = in.getUnsignedByte(s + 3);
      int eventLength = in.getUnsignedByte(s + 4);
      int meta = in.getUnsignedByte(s + 5);
      int encoding = in.getUnsignedByte(s + 6);
      int topicAt = s + 7 + jr + ref;
      int eventAt = topicAt + topicLength;
      int payloadAt = eventAt + eventLength + meta;
      ByteBuf out = ctx.alloc().buffer(5 + topicLength + eventLength + in.writerIndex() - payloadAt);
      out.writeByte(4).writeByte(topicLength).writeByte(eventLength).writeByte(0).writeByte(encoding);
      out.writeBytes(in, topicAt, topicLength).writeBytes(in, eventAt, eventLength)
          .writeBytes(in, payloadAt, in.writerIndex() - payloadAt);
      BinaryWebSocketFrame relayed = new BinaryWebSocketFrame(out);
      try {
        for (Channel member : rooms.getOrDefault(topic, Set.of())) {
          if (member != ctx.channel()) {
            member.writeAndFlush(relayed.retainedDuplicate(), member.voidPromise());
          }
        }
      } finally {
        relayed.release();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      if (topic != null) {
        rooms.getOrDefault(topic, ConcurrentHashMap.newKeySet()).remove(ctx.channel());
      }
      super.channelInactive(ctx);
    }
  }

}
