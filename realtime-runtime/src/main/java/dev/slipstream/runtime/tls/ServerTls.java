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
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS on the client port: the certificate chain and private key from two PEM files (the operator
 * mounts the tenant's {@code kubernetes.io/tls} Secret), served by the JDK's TLS (no native
 * library). The files are read again every {@code reloadInterval}: when either changed (a renewed
 * certificate in the mounted Secret), new connections get the new certificate; connections already
 * open keep theirs. A changed pair that does not load is logged and the old one kept.
 *
 * <p>The handshake's expensive steps (key exchange, signing), which the JDK's engine hands out as
 * delegated tasks, run on a small pool of their own instead of the event loop, so a burst of new
 * connections does not stall the clients the loop already serves.
 */
public final class ServerTls implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

  /**
   * @param certificate PEM certificate chain, the server's own first
   * @param privateKey its unencrypted PKCS#8 PEM key ({@code BEGIN PRIVATE KEY})
   */
  public record Files(Path certificate, Path privateKey) {
  }

  private final Files files;
  private final ExecutorService handshakes;
  private final ScheduledExecutorService reloader;
  private volatile Loaded current;

  private record Loaded(byte[] certificate, byte[] privateKey, SslContext context) {
  }

  private ServerTls(Files files, Loaded first, Duration reloadInterval) {
    this.files = files;
    this.current = first;
    AtomicInteger threads = new AtomicInteger();
    this.handshakes = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
        r -> Thread.ofPlatform().name("tls-handshake-" + threads.incrementAndGet()).daemon().unstarted(r));
    this.reloader = Executors.newSingleThreadScheduledExecutor(
        r -> Thread.ofPlatform().name("tls-reload").daemon().unstarted(r));
    long millis = reloadInterval.toMillis();
    reloader.scheduleWithFixedDelay(this::reloadIfChanged, millis, millis, TimeUnit.MILLISECONDS);
  }

  /**
   * Loads the pair once, so that a bad certificate or key stops the process at startup.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  public static ServerTls load(Files files, Duration reloadInterval) {
    return new ServerTls(files, read(files), reloadInterval);
  }

  /** A handler for a new connection, with the current certificate; the handshake must end within {@code timeout}. */
  public SslHandler newHandler(ByteBufAllocator alloc, Duration timeout) {
    SslHandler handler = current.context().newHandler(alloc, handshakes);
    handler.setHandshakeTimeoutMillis(timeout.toMillis());
    return handler;
  }

  /** Reads the files; when either changed, serves the new pair from the next connection on. */
  public void reloadIfChanged() {
    try {
      byte[] certificate = java.nio.file.Files.readAllBytes(files.certificate());
      byte[] privateKey = java.nio.file.Files.readAllBytes(files.privateKey());
      Loaded loaded = current;
      if (Arrays.equals(certificate, loaded.certificate()) && Arrays.equals(privateKey, loaded.privateKey())) {
        return;
      }
      current = new Loaded(certificate, privateKey, context(files, certificate, privateKey));
      log.info("Serving the renewed TLS certificate of {} to new connections", files.certificate());
    } catch (IOException | IllegalArgumentException e) {
      // Mid-rotation the kubelet swaps both files at once; a pair that does not load is a mistake in the Secret.
      log.warn("Keeping the current TLS certificate: the new one does not load: {}", e.getMessage());
    }
  }

  private static Loaded read(Files files) {
    byte[] certificate = readFile(files.certificate(), "certificate");
    byte[] privateKey = readFile(files.privateKey(), "private key");
    return new Loaded(certificate, privateKey, context(files, certificate, privateKey));
  }

  private static byte[] readFile(Path path, String what) {
    try {
      return java.nio.file.Files.readAllBytes(path);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the TLS " + what + " file " + path + ": " + e);
    }
  }

  private static SslContext context(Files files, byte[] certificate, byte[] privateKey) {
    try {
      return SslContextBuilder.forServer(new ByteArrayInputStream(certificate), new ByteArrayInputStream(privateKey))
          .sslProvider(SslProvider.JDK)
          .build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("the TLS certificate " + files.certificate() + " and key " + files.privateKey()
          + " do not load (a PEM certificate chain, and its key as unencrypted PKCS#8, BEGIN PRIVATE KEY, are "
          + "needed): " + rootMessage(e));
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return String.valueOf(root.getMessage());
  }

  @Override
  public void close() {
    reloader.shutdownNow();
    handshakes.shutdownNow();
  }
}
