package dev.slipstream.testing.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

class HoldingProxyTest {

  @Test
  void heldBytesWaitAndArriveWholeAndInOrderOnRelease() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        HoldingProxy proxy = HoldingProxy.to("127.0.0.1", server.getLocalPort());
        Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        Socket peer = server.accept()) {
      OutputStream toPeer = client.getOutputStream();
      InputStream atPeer = peer.getInputStream();
      toPeer.write(1);
      assertThat(atPeer.read()).as("forwarded while not held").isEqualTo(1);

      proxy.hold();
      toPeer.write(new byte[] {2, 3});
      peer.getOutputStream().write(9);
      peer.setSoTimeout(300);
      client.setSoTimeout(300);
      assertThatThrownBy(atPeer::read).as("held toward the server").isInstanceOf(SocketTimeoutException.class);
      assertThatThrownBy(() -> client.getInputStream().read()).as("held toward the client")
          .isInstanceOf(SocketTimeoutException.class);
      client.close(); // the client gives up meanwhile

      proxy.release();
      peer.setSoTimeout(5_000);
      assertThat(atPeer.read()).isEqualTo(2);
      assertThat(atPeer.read()).isEqualTo(3);
      assertThat(atPeer.read()).as("then the close").isEqualTo(-1);
    }
  }
}
