package dev.slipstream.runtime.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** The watched socket over a real loopback connection: waiting takes nothing from the reader. */
class ReceiveWatchTest {

  @Test
  void waitingForBytesLeavesThemToTheReaderAndNotesTheirArrival() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ReceiveWatch watch = new ReceiveWatch()) {
      Socket socket = new ReceiveWatch.Factory(keyOf(watch)).createSocket();
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
      socket.setSoTimeout(7_000);
      try (socket; Socket peer = server.accept()) {
        InputStream in = socket.getInputStream();
        long before = watch.lastByteNanos();

        assertThat(watch.awaitReadable(50)).as("nothing sent yet").isFalse();
        assertThat(socket.getSoTimeout()).as("the reader's timeout is restored").isEqualTo(7_000);

        OutputStream out = peer.getOutputStream();
        out.write(new byte[] {1, 2, 3});
        out.flush();
        assertThat(watch.awaitReadable(5_000)).isTrue();
        assertThat(watch.lastByteNanos()).isGreaterThan(before);
        assertThat(in.available()).isGreaterThanOrEqualTo(1);
        assertThat(watch.awaitReadable(5_000)).as("a byte already waiting").isTrue();

        byte[] read = new byte[8];
        int n = in.read(read, 0, 8);
        int total = n;
        while (total < 3) {
          total += in.read(read, total, 8 - total);
        }
        assertThat(total).isEqualTo(3);
        assertThat(read[0]).isEqualTo((byte) 1);
        assertThat(read[1]).isEqualTo((byte) 2);
        assertThat(read[2]).isEqualTo((byte) 3);

        peer.shutdownOutput();
        assertThatThrownBy(() -> watch.awaitReadable(5_000)).as("the server closed the connection")
            .isInstanceOf(java.io.EOFException.class).hasMessageContaining("PostgreSQL closed");
        assertThat(in.read()).as("and pgjdbc reads the end").isEqualTo(-1);
      }
    }
  }

  private static String keyOf(ReceiveWatch watch) {
    return watch.applyTo(new java.util.Properties()).getProperty("socketFactoryArg");
  }
}
