package dev.slipstream.e2e;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stand-in for the kubelet, for one pod: it runs the container of a Deployment's pod template
 * as a local JVM ({@code dev.slipstream.runtime.Main} on this test's class path, in place of the
 * image), with the environment Kubernetes would give it: {@code envFrom} ConfigMaps and Secrets,
 * {@code value}, {@code secretKeyRef}, {@code configMapKeyRef} and the downward API's
 * {@code metadata.name} / {@code metadata.namespace} / {@code status.podIP}. Only the listen address
 * and the ports are overridden (a pod has its own network namespace; this machine does not), and the
 * process reaches the API server through a kubeconfig instead of a service account token. When the pod answers
 * its readiness probe, the agent reports the Deployment ready, as the kubelet and the Deployment
 * controller would.
 */
final class NodeAgent implements AutoCloseable {

  private final KubernetesClient client;
  private final Deployment deployment;
  private final String podName;
  private final Map<String, String> env;
  private Process process;

  /**
   * @param kubeconfig what the pod's service account token would give it: the API server (for its
   *     tenant's Lease and its status entry)
   */
  NodeAgent(KubernetesClient client, Deployment deployment, int port, int relayPort, Path kubeconfig) {
    this.client = client;
    this.deployment = deployment;
    this.podName = deployment.getMetadata().getName() + "-0";
    this.env = environment(deployment.getSpec().getTemplate().getSpec().getContainers().getFirst());
    env.put("SLIPSTREAM_HOST", "127.0.0.1");
    env.put("SLIPSTREAM_PORT", Integer.toString(port));
    env.put("SLIPSTREAM_RELAY_PORT", Integer.toString(relayPort));
    env.put("KUBECONFIG", kubeconfig.toAbsolutePath().toString());
  }

  Map<String, String> environment() {
    return env;
  }

  /**
   * The Pod object the kubelet would run: the operator prunes status entries of pods that do not
   * exist, so the runtime's entry needs one. Nothing schedules it; the agent plays the node.
   */
  void createPod() {
    var template = deployment.getSpec().getTemplate();
    client.pods().inNamespace(deployment.getMetadata().getNamespace()).resource(new io.fabric8.kubernetes.api.model
        .PodBuilder().withNewMetadata().withName(podName).withLabels(template.getMetadata().getLabels()).endMetadata()
        .withSpec(template.getSpec()).build()).create();
  }

  /** The node died with the pod: {@code kill -9}, and the Pod object deleted (what the node controller does). */
  void killPod() throws InterruptedException {
    process.destroyForcibly().waitFor();
    client.pods().inNamespace(deployment.getMetadata().getNamespace()).withName(podName).withGracePeriod(0).delete();
  }

  String podName() {
    return podName;
  }

  void start(Path log) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        "dev.slipstream.runtime.Main")
        .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(
            new File("/dev/null")));
    builder.environment().keySet().removeIf(name -> name.startsWith("SLIPSTREAM_"));
    builder.environment().putAll(env);
    process = builder.start();
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** What the Deployment controller writes once the pod's readiness probe passes. */
  void reportReady() {
    String namespace = deployment.getMetadata().getNamespace();
    client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder().withNewMetadata()
            .withName(deployment.getMetadata().getName()).withNamespace(namespace).endMetadata().withNewStatus()
            .withReplicas(1).withReadyReplicas(1).withAvailableReplicas(1).withUpdatedReplicas(1).endStatus().build())
        .subresource("status")
        .patch(new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("e2e-node-agent")
            .withForce(true).build());
  }

  private Map<String, String> environment(Container container) {
    String namespace = deployment.getMetadata().getNamespace();
    Map<String, String> values = new LinkedHashMap<>();
    for (EnvFromSource source : container.getEnvFrom()) {
      if (source.getConfigMapRef() != null) {
        values.putAll(configMap(namespace, source.getConfigMapRef().getName()).getData());
      }
      if (source.getSecretRef() != null) {
        secret(namespace, source.getSecretRef().getName()).getData()
            .forEach((key, value) -> values.put(key, decode(value)));
      }
    }
    for (EnvVar variable : container.getEnv()) {
      values.put(variable.getName(), valueOf(namespace, variable));
    }
    return values;
  }

  private String valueOf(String namespace, EnvVar variable) {
    if (variable.getValueFrom() == null) {
      return variable.getValue();
    }
    var from = variable.getValueFrom();
    if (from.getSecretKeyRef() != null) {
      return decode(secret(namespace, from.getSecretKeyRef().getName()).getData().get(from.getSecretKeyRef().getKey()));
    }
    if (from.getConfigMapKeyRef() != null) {
      return configMap(namespace, from.getConfigMapKeyRef().getName()).getData().get(from.getConfigMapKeyRef().getKey());
    }
    if (from.getFieldRef() != null) {
      return switch (from.getFieldRef().getFieldPath()) {
        case "metadata.name" -> podName;
        case "metadata.namespace" -> namespace;
        case "status.podIP" -> "127.0.0.1";
        default -> throw new IllegalArgumentException("field " + from.getFieldRef().getFieldPath() + " is not emulated");
      };
    }
    throw new IllegalArgumentException("cannot resolve " + variable.getName());
  }

  private ConfigMap configMap(String namespace, String name) {
    return client.configMaps().inNamespace(namespace).withName(name).require();
  }

  private Secret secret(String namespace, String name) {
    return client.secrets().inNamespace(namespace).withName(name).require();
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }
}
