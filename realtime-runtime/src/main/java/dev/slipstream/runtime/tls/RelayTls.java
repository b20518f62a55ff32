package dev.slipstream.runtime.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * TLS on the relay between the pods of one tenant, with the client port's certificate (every pod
 * mounts the same Secret). The leader serves it, exactly as the client port does (reloaded the same
 * way). A follower reaches the leader by its pod IP, which no certificate names, so it checks the
 * leader's certificate otherwise:
 * <ul>
 *   <li>the chain must reach the tenant's CA: {@code ca.crt} next to the certificate file (cert-manager
 *       writes it into the Secret); without one, the certificate itself is the only trust anchor
 *       (pinned: the leader must serve exactly the Secret's certificate);
 *   <li>the certificate must be valid for the first subject alternative name of the pod's own
 *       certificate (the tenant's Service name, typically): a certificate the same CA issued for
 *       another tenant does not pass.
 * </ul>
 * The relay's own handshake (HMAC over the tenant's shared secret, both ways) still runs inside the
 * TLS session; TLS adds confidentiality and the certificate check.
 *
 * <p>The follower's side reads the files at each connection attempt, so a renewed CA or certificate
 * counts from the next reconnect.
 */
public final class RelayTls implements AutoCloseable {

  private final ServerTls.Files files;
  private final ServerTls server;

  private RelayTls(ServerTls.Files files, ServerTls server) {
    this.files = files;
    this.server = server;
  }

  /**
   * Loads the pair for the leader's side and checks the follower's side can be built.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  public static RelayTls load(ServerTls.Files files, Duration reloadInterval) {
    RelayTls tls = new RelayTls(files, ServerTls.load(files, reloadInterval));
    try {
      tls.expectedName();
      tls.clientContext();
    } catch (IllegalArgumentException e) {
      tls.close();
      throw e;
    }
    return tls;
  }

  /** The leader's handler for a follower's connection; the handshake must end within {@code timeout}. */
  public SslHandler serverHandler(ByteBufAllocator alloc, Duration timeout) {
    return server.newHandler(alloc, timeout);
  }

  /** A follower's handler for its connection to the leader, checking the leader's certificate as above. */
  public SslHandler clientHandler(ByteBufAllocator alloc, int port, Duration timeout) {
    String name = expectedName();
    SslHandler handler = clientContext().newHandler(alloc, name, port);
    SSLEngine engine = handler.engine();
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    engine.setSSLParameters(parameters);
    handler.setHandshakeTimeoutMillis(timeout.toMillis());
    return handler;
  }

  /** {@code ca.crt} beside the certificate when there is one, else the certificate itself. */
  Path trustAnchors() {
    Path parent = files.certificate().toAbsolutePath().getParent();
    Path ca = parent == null ? null : parent.resolve("ca.crt");
    return ca != null && Files.isRegularFile(ca) ? ca : files.certificate();
  }

  /** The first subject alternative name (DNS or IP) of this pod's own certificate. */
  String expectedName() {
    X509Certificate own = firstCertificate(files.certificate());
    try {
      Collection<List<?>> names = own.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          Object type = name.get(0);
          if (Integer.valueOf(2).equals(type) || Integer.valueOf(7).equals(type)) { // dNSName, iPAddress
            return String.valueOf(name.get(1));
          }
        }
      }
    } catch (CertificateParsingException e) {
      throw new IllegalArgumentException("the TLS certificate " + files.certificate() + " has unreadable subject "
          + "alternative names: " + e.getMessage());
    }
    throw new IllegalArgumentException("the TLS certificate " + files.certificate() + " names no DNS name or IP "
        + "address (subject alternative name): the relay checks the leader's certificate against it");
  }

  private SslContext clientContext() {
    Path anchors = trustAnchors();
    try {
      return SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
          .trustManager(new ByteArrayInputStream(Files.readAllBytes(anchors))).build();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("the relay's trust anchors " + anchors + " do not load: " + e.getMessage());
    }
  }

  private static X509Certificate firstCertificate(Path file) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(file)));
    } catch (IOException | CertificateException e) {
      throw new IllegalArgumentException("cannot read the TLS certificate " + file + ": " + e.getMessage());
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
