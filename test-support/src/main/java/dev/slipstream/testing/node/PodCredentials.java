package dev.slipstream.testing.node;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * What the kubelet mounts at {@code /var/run/secrets/kubernetes.io/serviceaccount}, as a file a
 * local process can use: a kubeconfig (given to the process as {@code KUBECONFIG}) with a token of
 * the pod's service account, bound to the pod (TokenRequest, as the kubelet asks for it), so the
 * process is held to that account's RBAC and its token dies with the pod. A process here cannot
 * use the in-cluster files: their path is absolute and shared by every pod of this machine.
 */
final class PodCredentials {

  /** The kubelet's default projected token lifetime is an hour and it renews; these pods live minutes. */
  static final long TOKEN_SECONDS = 24 * 3600;

  private final KubernetesClient client;

  PodCredentials(KubernetesClient client) {
    this.client = client;
  }

  /** Writes {@code dir/kubeconfig} for the pod; null when the pod does not mount a token. */
  Path write(Pod pod, Path dir) throws ContainerConfigException {
    if (Boolean.FALSE.equals(pod.getSpec().getAutomountServiceAccountToken())) {
      return null;
    }
    String namespace = pod.getMetadata().getNamespace();
    String named = pod.getSpec().getServiceAccountName();
    // kube-api-test turns off the ServiceAccount admission plugin, which would write "default" into a
    // pod that names no account; the API server binds a token only to a pod that names its account.
    boolean unnamed = named == null || named.isBlank();
    String account = unnamed ? "default" : named;
    TokenRequest request = unnamed
        ? new TokenRequestBuilder().withNewSpec().withExpirationSeconds(TOKEN_SECONDS).endSpec().build()
        : new TokenRequestBuilder().withNewSpec().withExpirationSeconds(TOKEN_SECONDS)
            .withNewBoundObjectRef().withApiVersion("v1").withKind("Pod").withName(pod.getMetadata().getName())
            .withUid(pod.getMetadata().getUid()).endBoundObjectRef().endSpec().build();
    String token;
    try {
      token = client.serviceAccounts().inNamespace(namespace).withName(account).tokenRequest(request)
          .getStatus().getToken();
    } catch (KubernetesClientException e) {
      throw ContainerConfigException.config("cannot get a token of service account " + namespace + "/" + account
          + ": " + e.getMessage());
    }
    var config = client.getConfiguration();
    String caLine = config.getCaCertFile() != null ? "certificate-authority: " + quoted(config.getCaCertFile())
        : "certificate-authority-data: " + config.getCaCertData();
    String yaml = """
        apiVersion: v1
        kind: Config
        clusters:
          - name: cluster
            cluster:
              server: %s
              %s
        users:
          - name: %s
            user:
              token: %s
        contexts:
          - name: pod
            context: {cluster: cluster, user: %s, namespace: %s}
        current-context: pod
        """.formatted(quoted(config.getMasterUrl()), caLine, quoted("system:serviceaccount:" + namespace + ":"
        + account), token, quoted("system:serviceaccount:" + namespace + ":" + account), namespace);
    Path file = dir.resolve("kubeconfig");
    try {
      Files.deleteIfExists(file);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, yaml);
    } catch (IOException e) {
      throw ContainerConfigException.config("cannot write " + file + ": " + e.getMessage());
    }
    return file;
  }

  private static String quoted(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
