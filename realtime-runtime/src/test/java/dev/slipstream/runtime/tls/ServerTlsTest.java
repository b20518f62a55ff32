package dev.slipstream.runtime.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.testing.tls.TestCertificates;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client port's certificate: loaded at startup or refused with the file named, and renewed in place. */
class ServerTlsTest {

  private static final TestCertificates.Authority CA = TestCertificates.authority("first CA");
  private static final TestCertificates.Authority RENEWING_CA = TestCertificates.authority("renewing CA");

  @TempDir
  Path dir;

  private EventLoopGroup group;
  private ServerTls tls;

  @AfterEach
  void stop() {
    if (tls != null) {
      tls.close();
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void aRenewedCertificateReachesNewConnectionsAndABrokenOneIsNotTaken() throws Exception {
    TestCertificates.Issued first = CA.issue("localhost", "localhost");
    first.writeTo(dir);
    tls = ServerTls.load(files(), Duration.ofHours(1)); // reloaded by hand below
    int port = serve(tls);
    assertThat(servedSerial(port)).isEqualTo(first.certificate().getSerialNumber());

    TestCertificates.Issued renewed = RENEWING_CA.issue("localhost", "localhost");
    renewed.writeTo(dir);
    tls.reloadIfChanged();
    assertThat(servedSerial(port)).as("the renewed certificate").isEqualTo(renewed.certificate().getSerialNumber());

    Files.writeString(dir.resolve("tls.key"), "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
    tls.reloadIfChanged();
    assertThat(servedSerial(port)).as("a pair that does not load is not taken").isEqualTo(
        renewed.certificate().getSerialNumber());
  }

  @Test
  void aKeyThatDoesNotLoadStopsTheStartNamingTheFiles() throws Exception {
    CA.issue("localhost", "localhost").writeTo(dir);
    Files.writeString(dir.resolve("tls.key"), "-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----\n");
    assertThatThrownBy(() -> ServerTls.load(files(), Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the TLS certificate " + dir.resolve("tls.crt") + " and key " + dir.resolve("tls.key")
            + " do not load (a PEM certificate chain, and its key as unencrypted PKCS#8, BEGIN PRIVATE KEY, are needed)");

    assertThatThrownBy(() -> ServerTls.load(new ServerTls.Files(dir.resolve("missing.crt"), dir.resolve("tls.key")),
        Duration.ofHours(1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cannot read the TLS certificate file " + dir.resolve("missing.crt"));
  }

  private ServerTls.Files files() {
    return new ServerTls.Files(dir.resolve("tls.crt"), dir.resolve("tls.key"));
  }

  private int serve(ServerTls serverTls) throws InterruptedException {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(serverTls.newHandler(ch.alloc(), Duration.ofSeconds(10)));
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** The serial number of the certificate a fresh connection is served, trusting both CAs. */
  private static BigInteger servedSerial(int port) throws Exception {
    SSLContext context = TestCertificates.trusting(CA, RENEWING_CA);
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }
}
