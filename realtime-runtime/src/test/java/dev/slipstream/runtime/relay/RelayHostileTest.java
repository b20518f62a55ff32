package dev.slipstream.runtime.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.runtime.relay.RelayHarness.Follower;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a connection that is no follower gets: closed, counted, nothing else. */
class RelayHostileTest {

  private final RelayHarness leader = new RelayHarness(RelayBacklog.DEFAULT_MAX_BYTES,
      new RelayServer.Settings("127.0.0.1", 0, RelayServer.Settings.DEFAULT_MAX_UNACKED_BYTES, Duration.ofSeconds(10),
          Duration.ofMillis(300), Duration.ofMillis(200), 64));

  @AfterEach
  void close() throws Exception {
    leader.close();
  }

  private static ConditionFactory eventually() {
    return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10));
  }

  @Test
  void aPodWithTheWrongSecretIsRefusedAndToldSoAndNoSecretIsLogged() {
    byte[] wrong = "not-the-password".getBytes(StandardCharsets.UTF_8);
    try (LogCapture logs = new LogCapture()) {
      Follower impostor = leader.follower("pod-x", StreamPoint.NONE, leader.address(), wrong);

      eventually().until(() -> "the leader's relay refused this pod's secret".equals(impostor.client.problem()));
      assertThat(impostor.client.connected()).isFalse();
      assertThat(leader.rejected(RelayMetrics.BAD_SECRET)).isPositive();
      assertThat(leader.server.followers()).isZero();
      assertThat(impostor.sink.calls()).isEmpty();
      assertThat(logs.lines()).anySatisfy(line -> assertThat(line).startsWith("WARN Relay connection from")
          .contains("pod-x", "bad_secret"));
      String secret = new String(RelayHarness.SECRET, StandardCharsets.UTF_8);
      assertThat(logs.lines()).noneSatisfy(line -> assertThat(line).containsAnyOf(secret, "not-the-password"));
    }
  }

  @Test
  void bytesThatAreNoRelayFramesAreRefusedAtTheLengthField() throws IOException {
    try (Socket socket = connect()) {
      socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: relay\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertClosed(socket);
    }
    eventually().until(() -> leader.rejected(RelayMetrics.OVERSIZED_FRAME) == 1);
  }

  @Test
  void anOversizedFrameIsRefusedBeforeItIsRead() throws IOException {
    try (Socket socket = connect()) {
      socket.getOutputStream().write(ByteBuffer.allocate(5).putInt(1 << 30).put(Frames.HELLO).array());
      assertClosed(socket);
    }
    eventually().until(() -> leader.rejected(RelayMetrics.OVERSIZED_FRAME) == 1);
  }

  @Test
  void anUnknownFrameOrAGarbledHelloIsMalformed() throws IOException {
    try (Socket socket = connect()) {
      socket.getOutputStream().write(new byte[] {0, 0, 0, 3, 0x7F, 1, 2});
      assertClosed(socket);
    }
    try (Socket socket = connect()) {
      socket.getOutputStream().write(new byte[] {0, 0, 0, 6, Frames.HELLO, 0, 1, (byte) 0xFF, (byte) 0xFF, 0x7F});
      assertClosed(socket);
    }
    eventually().until(() -> leader.rejected(RelayMetrics.MALFORMED_FRAME) == 2);
  }

  @Test
  void aSilentConnectionIsClosedAfterTheHandshakeTimeout() throws IOException {
    try (Socket socket = connect()) {
      assertClosed(socket);
    }
    eventually().until(() -> leader.rejected(RelayMetrics.HANDSHAKE_TIMEOUT) == 1);
  }

  @Test
  void aLeaderThatCannotBeReachedIsTheClientsProblem() throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Follower follower = leader.follower("pod-a", StreamPoint.NONE, new InetSocketAddress("127.0.0.1", port),
        RelayHarness.SECRET);
    eventually().until(() -> ("cannot reach the leader's relay at 127.0.0.1:" + port + ": connection refused")
        .equals(follower.client.problem()));
    assertThat(follower.client.connected()).isFalse();
  }

  @Test
  void aLeaderThatCannotProveTheSecretIsNotFollowed() throws IOException {
    try (ServerSocket fake = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Follower follower = leader.follower("pod-a", StreamPoint.NONE,
          new InetSocketAddress("127.0.0.1", fake.getLocalPort()), RelayHarness.SECRET);
      try (Socket socket = fake.accept()) {
        io.netty.buffer.ByteBuf challenge = Frames.challenge(new io.netty.buffer.UnpooledByteBufAllocator(false),
            RelayAuth.nonce());
        socket.getOutputStream().write(io.netty.buffer.ByteBufUtil.getBytes(challenge));
        challenge.release();
        InputStream in = socket.getInputStream();
        int length = ByteBuffer.wrap(in.readNBytes(4)).getInt();
        in.readNBytes(length); // the HELLO
        ByteBuffer welcome = ByteBuffer.allocate(Frames.HEADER_BYTES + 20 + Frames.MAC_BYTES)
            .putInt(1 + 20 + Frames.MAC_BYTES).put(Frames.WELCOME).putLong(1).putLong(2).putInt(1000);
        socket.getOutputStream().write(welcome.array()); // a MAC of zeros
        eventually().until(() -> ("the relay at 127.0.0.1:" + fake.getLocalPort()
            + " could not prove it holds the tenant's secret").equals(follower.client.problem()));
      }
      assertThat(follower.sink.calls()).isEmpty();
    }
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", leader.server.port());
    socket.setSoTimeout(10_000);
    byte[] challenge = socket.getInputStream().readNBytes(Frames.HEADER_BYTES + 2 + Frames.NONCE_BYTES);
    assertThat(challenge[4]).isEqualTo(Frames.CHALLENGE);
    return socket;
  }

  /** The leader closes the connection: the stream ends (or is reset, when it left input unread). */
  private static void assertClosed(Socket socket) throws IOException {
    try {
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    } catch (SocketException reset) {
      assertThat(reset.getMessage()).containsIgnoringCase("reset");
    }
  }
}
