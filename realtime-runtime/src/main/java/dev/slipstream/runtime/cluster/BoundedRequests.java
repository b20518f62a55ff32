package dev.slipstream.runtime.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.RequestConfig;
import io.fabric8.kubernetes.client.RequestConfigBuilder;
import java.time.Duration;

/**
 * A view of a Kubernetes client whose requests give up after a bound and are retried once only.
 *
 * <p>Why: by default Fabric8 retries a request whose connection failed ten times with exponential
 * back-off (100 ms doubling), each try bounded by a 10 s timeout: with the API server unreachable one
 * call can block for minutes. The Lease and the status entry are written on a clock; a call that
 * cannot finish in time is worth less than the next scheduled one. One quick retry stays, for the
 * failures a second connection fixes (a pooled connection the server had closed, a reset TLS
 * handshake: seen against kube-apiserver under load).
 */
public final class BoundedRequests {

  private BoundedRequests() {
  }

  /**
   * The same client (connections, credentials) with bounded requests: a call takes at most about
   * twice {@code timeout} (two tries) plus 100 ms. Never close the view: it shares the client's
   * resources, and closing it closes the client.
   */
  public static KubernetesClient of(KubernetesClient client, Duration timeout) {
    RequestConfig bounded = new RequestConfigBuilder(client.getConfiguration().getRequestConfig())
        .withRequestTimeout(Math.toIntExact(Math.max(1, timeout.toMillis())))
        .withRequestRetryBackoffLimit(1)
        .withRequestRetryBackoffInterval(100)
        .build();
    return client.newClient(bounded).adapt(KubernetesClient.class);
  }
}
