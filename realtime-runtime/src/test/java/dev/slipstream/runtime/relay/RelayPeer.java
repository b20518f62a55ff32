package dev.slipstream.runtime.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * A raw TCP peer of a leader's relay port, for tests that play a hostile one: it reads the leader's
 * CHALLENGE and writes whatever bytes it is told to (garbage, a HELLO with a wrong secret, a frame
 * length of a gigabyte, a proper HELLO followed by nothing but keepalives). Nothing here follows
 * the protocol beyond that on its own.
 */
public final class RelayPeer implements AutoCloseable {

  private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);

  private final Socket socket;
  private final byte[] serverNonce;

  private RelayPeer(Socket socket, byte[] serverNonce) {
    this.socket = socket;
    this.serverNonce = serverNonce;
  }

  /**
   * Connects and reads the CHALLENGE.
   *
   * @param receiveBuffer the socket's receive buffer (set before connecting, so the window is small
   *     from the start), or 0 for the system's
   */
  public static RelayPeer connect(String host, int port, int receiveBuffer) throws IOException {
    Socket socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new InetSocketAddress(host, port), 5_000);
    socket.setSoTimeout(10_000);
    byte[] challenge = socket.getInputStream().readNBytes(Frames.HEADER_BYTES + 2 + Frames.NONCE_BYTES);
    if (challenge.length < Frames.HEADER_BYTES + 2 + Frames.NONCE_BYTES || challenge[4] != Frames.CHALLENGE) {
      socket.close();
      throw new IOException("no CHALLENGE from the relay at " + host + ":" + port);
    }
    byte[] nonce = new byte[Frames.NONCE_BYTES];
    System.arraycopy(challenge, Frames.HEADER_BYTES + 2, nonce, 0, Frames.NONCE_BYTES);
    return new RelayPeer(socket, nonce);
  }

  /** A frame of {@code length} random bytes that is no frame the relay knows (type 0x7F). */
  public static byte[] garbage(int length) {
    byte[] bytes = new byte[Frames.LENGTH_BYTES + length];
    ThreadLocalRandom.current().nextBytes(bytes);
    ByteBuffer.wrap(bytes).putInt(length).put((byte) 0x7F);
    return bytes;
  }

  /** A HELLO's header announcing {@code length} bytes, and nothing of them. */
  public static byte[] lengthOnly(int length) {
    return ByteBuffer.allocate(Frames.HEADER_BYTES).putInt(length).put(Frames.HELLO).array();
  }

  public static byte[] keepalive() {
    return frame(Frames::keepalive);
  }

  /** A HELLO of {@code pod}, not resuming, proved with {@code secret} against this connection's challenge. */
  public byte[] hello(String pod, byte[] secret) {
    byte[] nonce = RelayAuth.nonce();
    byte[] mac = new RelayAuth(secret).helloMac(serverNonce, nonce, pod, false, 0);
    return frame(alloc -> Frames.hello(alloc, new Frames.Hello(Frames.VERSION, pod, false, 0, nonce, mac)));
  }

  public void write(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
  }

  public InputStream input() throws IOException {
    return socket.getInputStream();
  }

  /**
   * Whether the leader closed the connection: reads (and drops) until the end of the stream or a
   * reset; false when the connection is still open after the socket's read timeout.
   */
  public boolean closedByLeader() {
    try {
      InputStream in = socket.getInputStream();
      byte[] sink = new byte[8192];
      while (in.read(sink) >= 0) {
        // what the leader sent before closing
      }
      return true;
    } catch (java.net.SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  private static byte[] frame(Function<UnpooledByteBufAllocator, ByteBuf> make) {
    ByteBuf frame = make.apply(ALLOC);
    try {
      return ByteBufUtil.getBytes(frame);
    } finally {
      frame.release();
    }
  }
}
