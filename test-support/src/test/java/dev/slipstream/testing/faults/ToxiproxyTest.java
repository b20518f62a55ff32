package dev.slipstream.testing.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipstream.testing.faults.ToxiproxyProxy.Stream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real Toxiproxy server between a socket and a loopback echo server, each fault checked on the wire. */
class ToxiproxyTest {

  private static Toxiproxy toxiproxy;
  private static ServerSocket echo;
  private static ToxiproxyProxy proxy;

  @BeforeAll
  static void start() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().start(ToxiproxyTest::serveEcho);
    toxiproxy = Toxiproxy.start();
    proxy = toxiproxy.proxy("echo", "127.0.0.1:" + echo.getLocalPort());
  }

  @AfterAll
  static void stop() throws IOException {
    if (toxiproxy != null) {
      toxiproxy.close();
    }
    echo.close();
  }

  @Test
  void itIsTheVersionTheWrapperModulePins() {
    assertThat(toxiproxy.version()).contains(Toxiproxy.VERSION);
  }

  @Test
  void bytesGoThroughAndLatencyIsAddedUntilTheToxicIsRemoved() throws IOException {
    assertThat(roundTripMillis()).isLessThan(1_000);
    proxy.latency("slow", Stream.DOWNSTREAM, 300, 0);
    try {
      assertThat(roundTripMillis()).isGreaterThanOrEqualTo(300);
    } finally {
      proxy.removeToxic("slow");
    }
  }

  @Test
  void aDisabledProxyClosesOpenConnectionsAndRefusesNewOnesUntilEnabled() throws IOException {
    try (Socket open = connect()) {
      roundTrip(open);
      proxy.disable();
      try {
        open.setSoTimeout(10_000);
        assertThat(readOrEnd(open)).as("the open connection is closed").isEqualTo(-1);
        assertThatThrownBy(this::connect).isInstanceOf(IOException.class);
      } finally {
        proxy.enable();
      }
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(roundTripMillis()).isLessThan(5_000));
  }

  @Test
  void aBlackholeKeepsTheConnectionButLetsNothingThrough() throws IOException {
    try (Socket socket = connect()) {
      roundTrip(socket);
      proxy.blackhole("partition");
      try {
        socket.getOutputStream().write('x');
        socket.setSoTimeout(1_000);
        assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
      } finally {
        proxy.removeBlackhole("partition");
      }
    }
    assertThat(roundTripMillis()).isLessThan(5_000);
  }

  @Test
  void bandwidthIsLimited() throws IOException {
    proxy.bandwidth("narrow", Stream.DOWNSTREAM, 16);
    try (Socket socket = connect()) {
      byte[] block = new byte[32 * 1024];
      long start = System.nanoTime();
      OutputStream out = socket.getOutputStream();
      Thread.ofPlatform().daemon().start(() -> {
        try {
          out.write(block);
        } catch (IOException ignored) {
          // the reader fails the test
        }
      });
      socket.setSoTimeout(30_000);
      InputStream in = socket.getInputStream();
      int read = 0;
      while (read < block.length) {
        int n = in.read(new byte[8192]);
        assertThat(n).isPositive();
        read += n;
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("32 KB at 16 KB/s")
          .isGreaterThanOrEqualTo(Duration.ofMillis(1_500));
    } finally {
      proxy.removeToxic("narrow");
    }
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket();
    socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()), 2_000);
    return socket;
  }

  private long roundTripMillis() throws IOException {
    try (Socket socket = connect()) {
      return roundTrip(socket);
    }
  }

  private static long roundTrip(Socket socket) throws IOException {
    socket.setSoTimeout(10_000);
    long start = System.nanoTime();
    socket.getOutputStream().write('a');
    assertThat(socket.getInputStream().read()).isEqualTo('a');
    return Duration.ofNanos(System.nanoTime() - start).toMillis();
  }

  private static int readOrEnd(Socket socket) {
    try {
      return socket.getInputStream().read();
    } catch (IOException e) {
      return -1; // a reset is a cut as well
    }
  }

  private static void serveEcho() {
    while (!echo.isClosed()) {
      try {
        Socket client = echo.accept();
        Thread.ofPlatform().daemon().start(() -> {
          try (client) {
            client.getInputStream().transferTo(client.getOutputStream());
          } catch (IOException ignored) {
            // the client went away
          }
        });
      } catch (IOException e) {
        return; // closed
      }
    }
  }
}
