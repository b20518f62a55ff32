package dev.slipstream.runtime.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * The relay's frames: {@code u32 length}, {@code u8 type}, body; the length counts the type byte
 * and the body. The frame table is in the package documentation. Builders return a frame with its
 * length; readers take the body (what follows the type byte) and read it to its end.
 */
final class Frames {

  static final int VERSION = 1;
  static final int LENGTH_BYTES = 4;
  static final int HEADER_BYTES = LENGTH_BYTES + 1;

  static final byte CHALLENGE = 0x01;
  static final byte HELLO = 0x02;
  static final byte WELCOME = 0x03;
  static final byte REFUSED = 0x04;
  static final byte CHUNK = 0x10;
  static final byte COMMIT = 0x11;
  static final byte GAP = 0x12;
  static final byte ACK = 0x20;
  static final byte KEEPALIVE = 0x21;
  /** A client's broadcast crossing pods: follower to leader, and leader to the other followers. */
  static final byte BROADCAST = 0x40;
  /** The leader has a follower's BROADCAST (asked for with a non-zero id). */
  static final byte BROADCAST_ACK = 0x41;
  /** Presence crossing pods: an opaque message of the pods' presence exchange, both ways. */
  static final byte PRESENCE = 0x42;
  /** Types 0x43 to 0x5F are kept for what else crosses pods beside the stream. */
  static final int RESERVED_FIRST = 0x43;
  static final int RESERVED_LAST = 0x5F;
  /** A PRESENCE's type and the varint length of its message, at most. */
  static final int PRESENCE_OVERHEAD_BYTES = 1 + 5;

  static final int NONCE_BYTES = 32;
  static final int MAC_BYTES = 32;
  /** A Kubernetes pod name is a DNS subdomain: at most 253 characters. */
  static final int MAX_POD_BYTES = 253;
  static final int MAX_REASON_BYTES = 200;
  /** A broadcast's topic and event: far more than the tenant's topic length allows. */
  static final int MAX_NAME_BYTES = 4096;
  /** A BROADCAST's type, id, flags and the varint lengths, at most, besides its strings and payload. */
  static final int BROADCAST_OVERHEAD_BYTES = 1 + 8 + 1 + 3 * 5;

  private static final int PRIVATE = 1;
  private static final int JSON = 2;
  private static final int BINARY_ORIGIN = 4;

  record Challenge(int version, byte[] nonce) {
  }

  /** @param resuming whether {@code lastEndLsn} is a point the follower has; else it starts live */
  record Hello(int version, String pod, boolean resuming, long lastEndLsn, byte[] nonce, byte[] mac) {
  }

  record Welcome(long startLsn, long serverWalEnd, int keepaliveMillis, byte[] mac) {
  }

  /**
   * @param endLsn the end LSN of the last transaction the follower has
   * @param receivedBytes every frame byte the follower took in since WELCOME
   */
  record Ack(long endLsn, long receivedBytes) {
  }

  /** @param id what the leader acknowledges with BROADCAST_ACK; 0 asks for no acknowledgement */
  record Broadcast(long id, PodBroadcast broadcast) {
  }

  private Frames() {
  }

  static int type(ByteBuf frame) {
    return frame.getUnsignedByte(frame.readerIndex() + LENGTH_BYTES);
  }

  /** The body of a complete frame, as a slice. */
  static ByteBuf body(ByteBuf frame) {
    return frame.slice(frame.readerIndex() + HEADER_BYTES, frame.readableBytes() - HEADER_BYTES);
  }

  static ByteBuf challenge(ByteBufAllocator allocator, byte[] nonce) {
    ByteBuf out = open(allocator.buffer(HEADER_BYTES + 2 + NONCE_BYTES), CHALLENGE);
    out.writeShort(VERSION);
    out.writeBytes(nonce);
    return close(out, 0);
  }

  static Challenge readChallenge(ByteBuf body) {
    Challenge challenge = new Challenge(Wire.readUnsignedShort(body, "protocol version"),
        Wire.readFixed(body, NONCE_BYTES, "nonce"));
    Wire.end(body, "CHALLENGE");
    return challenge;
  }

  static ByteBuf hello(ByteBufAllocator allocator, Hello hello) {
    ByteBuf out = open(allocator.buffer(128), HELLO);
    out.writeShort(hello.version());
    Wire.writeString(out, hello.pod());
    out.writeBoolean(hello.resuming());
    out.writeLong(hello.lastEndLsn());
    out.writeBytes(hello.nonce());
    out.writeBytes(hello.mac());
    return close(out, 0);
  }

  static Hello readHello(ByteBuf body) {
    Hello hello = new Hello(Wire.readUnsignedShort(body, "protocol version"),
        Wire.readString(body, MAX_POD_BYTES, "pod name"), Wire.readUnsignedByte(body, "resuming flag") != 0,
        Wire.readLong(body, "last end LSN"),
        Wire.readFixed(body, NONCE_BYTES, "nonce"), Wire.readFixed(body, MAC_BYTES, "HMAC"));
    Wire.end(body, "HELLO");
    return hello;
  }

  static ByteBuf welcome(ByteBufAllocator allocator, Welcome welcome) {
    ByteBuf out = open(allocator.buffer(HEADER_BYTES + 20 + MAC_BYTES), WELCOME);
    out.writeLong(welcome.startLsn());
    out.writeLong(welcome.serverWalEnd());
    out.writeInt(welcome.keepaliveMillis());
    out.writeBytes(welcome.mac());
    return close(out, 0);
  }

  static Welcome readWelcome(ByteBuf body) {
    Welcome welcome = new Welcome(Wire.readLong(body, "start LSN"), Wire.readLong(body, "server WAL end"),
        Wire.readInt(body, "keepalive interval"), Wire.readFixed(body, MAC_BYTES, "HMAC"));
    Wire.end(body, "WELCOME");
    return welcome;
  }

  /** Why the leader closes the connection: one of {@link RelayMetrics}'s rejection reasons. */
  static ByteBuf refused(ByteBufAllocator allocator, String reason) {
    ByteBuf out = open(allocator.buffer(64), REFUSED);
    Wire.writeString(out, reason);
    return close(out, 0);
  }

  static String readRefused(ByteBuf body) {
    String reason = Wire.readString(body, MAX_REASON_BYTES, "reason");
    Wire.end(body, "REFUSED");
    return reason;
  }

  /** COMMIT or GAP: a type and an LSN. */
  static ByteBuf lsnFrame(ByteBufAllocator allocator, byte type, long lsn) {
    ByteBuf out = allocator.buffer(HEADER_BYTES + 8);
    writeLsnFrame(out, type, lsn);
    return out;
  }

  static void writeLsnFrame(ByteBuf out, byte type, long lsn) {
    int start = out.writerIndex();
    open(out, type);
    out.writeLong(lsn);
    close(out, start);
  }

  static long readLsn(ByteBuf body, String frame) {
    long lsn = Wire.readLong(body, frame + " LSN");
    Wire.end(body, frame);
    return lsn;
  }

  static ByteBuf ack(ByteBufAllocator allocator, Ack ack) {
    ByteBuf out = open(allocator.buffer(HEADER_BYTES + 16), ACK);
    out.writeLong(ack.endLsn());
    out.writeLong(ack.receivedBytes());
    return close(out, 0);
  }

  static Ack readAck(ByteBuf body) {
    Ack ack = new Ack(Wire.readLong(body, "acknowledged LSN"), Wire.readLong(body, "received bytes"));
    Wire.end(body, "ACK");
    return ack;
  }

  static ByteBuf keepalive(ByteBufAllocator allocator) {
    return close(open(allocator.buffer(HEADER_BYTES), KEEPALIVE), 0);
  }

  static ByteBuf broadcast(ByteBufAllocator allocator, long id, PodBroadcast broadcast) {
    ByteBuf out = open(allocator.buffer(BROADCAST_OVERHEAD_BYTES + broadcast.topic().length()
        + broadcast.event().length() + broadcast.payload().length + 16), BROADCAST);
    out.writeLong(id);
    out.writeByte((broadcast.privateChannel() ? PRIVATE : 0) | (broadcast.json() ? JSON : 0)
        | (broadcast.binaryOrigin() ? BINARY_ORIGIN : 0));
    Wire.writeString(out, broadcast.topic());
    Wire.writeString(out, broadcast.event());
    Wire.writeBytes(out, broadcast.payload());
    return close(out, 0);
  }

  static Broadcast readBroadcast(ByteBuf body) {
    long id = Wire.readLong(body, "broadcast id");
    int flags = Wire.readUnsignedByte(body, "broadcast flags");
    if ((flags & ~(PRIVATE | JSON | BINARY_ORIGIN)) != 0) {
      throw new RelayProtocolException(String.format("unknown broadcast flags 0x%02x", flags));
    }
    String topic = Wire.readString(body, MAX_NAME_BYTES, "broadcast topic");
    String event = Wire.readString(body, MAX_NAME_BYTES, "broadcast event");
    int length = Wire.readCount(body, 1, "broadcast payload length");
    byte[] payload = Wire.readFixed(body, length, "broadcast payload");
    Wire.end(body, "BROADCAST");
    return new Broadcast(id, new PodBroadcast(topic, (flags & PRIVATE) != 0, event, payload, (flags & JSON) != 0,
        (flags & BINARY_ORIGIN) != 0));
  }

  static ByteBuf broadcastAck(ByteBufAllocator allocator, long id) {
    return lsnFrame(allocator, BROADCAST_ACK, id);
  }

  static long readBroadcastAck(ByteBuf body) {
    long id = Wire.readLong(body, "broadcast id");
    Wire.end(body, "BROADCAST_ACK");
    return id;
  }

  static ByteBuf presence(ByteBufAllocator allocator, byte[] message) {
    ByteBuf out = open(allocator.buffer(HEADER_BYTES + PRESENCE_OVERHEAD_BYTES + message.length), PRESENCE);
    Wire.writeBytes(out, message);
    return close(out, 0);
  }

  static byte[] readPresence(ByteBuf body) {
    int length = Wire.readCount(body, 1, "presence message length");
    byte[] message = Wire.readFixed(body, length, "presence message");
    Wire.end(body, "PRESENCE");
    return message;
  }

  static String name(int type) {
    return switch (type) {
      case CHALLENGE -> "CHALLENGE";
      case HELLO -> "HELLO";
      case WELCOME -> "WELCOME";
      case REFUSED -> "REFUSED";
      case CHUNK -> "CHUNK";
      case COMMIT -> "COMMIT";
      case GAP -> "GAP";
      case ACK -> "ACK";
      case KEEPALIVE -> "KEEPALIVE";
      case BROADCAST -> "BROADCAST";
      case BROADCAST_ACK -> "BROADCAST_ACK";
      case PRESENCE -> "PRESENCE";
      default -> String.format("0x%02x", type);
    };
  }

  private static ByteBuf open(ByteBuf out, byte type) {
    out.writeInt(0);
    out.writeByte(type);
    return out;
  }

  private static ByteBuf close(ByteBuf out, int start) {
    out.setInt(start, out.writerIndex() - start - LENGTH_BYTES);
    return out;
  }
}
