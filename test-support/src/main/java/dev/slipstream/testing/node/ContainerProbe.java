package dev.slipstream.testing.node;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.ToIntFunction;

/**
 * One probe of one container, with the kubelet's counting: the first check after
 * {@code initialDelaySeconds}, then every {@code periodSeconds}; the verdict turns after
 * {@code failureThreshold} failures or {@code successThreshold} successes in a row. HTTP GET
 * (2xx and 3xx pass) and TCP connect; exec and gRPC probes are not emulated and always fail, so a
 * pod that relies on one never looks healthy by mistake.
 */
final class ContainerProbe {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(1)).build();

  private final Probe spec;
  private final String address;
  private final ToIntFunction<IntOrString> ports;
  private boolean passing;
  private int successes;
  private int failures;
  private long nextNanos;
  private String lastFailure = "";

  /**
   * @param spec the probe, or null: none (the verdict is then {@code verdictWithout} for ever)
   * @param address the pod IP
   * @param ports resolves the probe's port (number or container port name) to where the container listens
   */
  ContainerProbe(Probe spec, boolean verdictWithout, String address, ToIntFunction<IntOrString> ports, long startNanos) {
    this.spec = spec;
    this.address = address;
    this.ports = ports;
    this.passing = spec == null ? verdictWithout : false;
    this.nextNanos = spec == null ? Long.MAX_VALUE : startNanos + seconds(spec.getInitialDelaySeconds(), 0);
  }

  /** A liveness probe passes until it fails: it starts passing. */
  ContainerProbe startingPassing() {
    passing = true;
    return this;
  }

  boolean passing() {
    return passing;
  }

  String lastFailure() {
    return lastFailure;
  }

  long nextNanos() {
    return nextNanos;
  }

  /** Runs the probe if it is due; true when the verdict changed. */
  boolean runIfDue(long now) {
    if (spec == null || now < nextNanos) {
      return false;
    }
    boolean ok = check();
    nextNanos = System.nanoTime() + seconds(spec.getPeriodSeconds(), 10);
    boolean before = passing;
    if (ok) {
      failures = 0;
      if (++successes >= Math.max(1, orDefault(spec.getSuccessThreshold(), 1))) {
        passing = true;
      }
    } else {
      successes = 0;
      if (++failures >= Math.max(1, orDefault(spec.getFailureThreshold(), 3))) {
        passing = false;
      }
    }
    return before != passing;
  }

  /** Failures in a row (a failed liveness or startup probe restarts the container at the threshold). */
  boolean failedForGood() {
    return spec != null && failures >= Math.max(1, orDefault(spec.getFailureThreshold(), 3));
  }

  private boolean check() {
    Duration timeout = Duration.ofSeconds(Math.max(1, orDefault(spec.getTimeoutSeconds(), 1)));
    try {
      if (spec.getHttpGet() != null) {
        var get = spec.getHttpGet();
        if ("HTTPS".equalsIgnoreCase(get.getScheme())) {
          lastFailure = "HTTPS probes are not emulated";
          return false;
        }
        String path = get.getPath() == null || get.getPath().isEmpty() ? "/" : get.getPath();
        URI uri = URI.create("http://" + address + ":" + ports.applyAsInt(get.getPort()) + (path.startsWith("/") ? "" : "/")
            + path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
        if (get.getHttpHeaders() != null) {
          get.getHttpHeaders().forEach(header -> request.header(header.getName(), header.getValue()));
        }
        int status = HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        lastFailure = status >= 200 && status < 400 ? "" : "HTTP probe failed with statuscode: " + status;
        return lastFailure.isEmpty();
      }
      if (spec.getTcpSocket() != null) {
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress(address, ports.applyAsInt(spec.getTcpSocket().getPort())),
              (int) timeout.toMillis());
          lastFailure = "";
          return true;
        }
      }
      lastFailure = "only httpGet and tcpSocket probes are emulated by this node agent";
      return false;
    } catch (IOException | IllegalArgumentException e) {
      lastFailure = "probe failed: " + e;
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      lastFailure = "interrupted";
      return false;
    }
  }

  private static long seconds(Integer value, int otherwise) {
    return Duration.ofSeconds(value == null ? otherwise : value).toNanos();
  }

  private static int orDefault(Integer value, int otherwise) {
    return value == null ? otherwise : value;
  }
}
