package dev.slipstream.e2e;

import dev.slipstream.runtime.RealtimeRuntime;
import dev.slipstream.runtime.config.RuntimeConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * A tenant's runtime started in this JVM from its Deployment's container as the operator wrote it:
 * the ConfigMap and Secret references resolved as the kubelet would resolve them. It runs alone (not
 * as a pod of the tenant: no Lease, no status entry) on a free port of 127.0.0.1.
 */
final class LocalRuntime {

  private LocalRuntime() {
  }

  static RealtimeRuntime start(KubernetesClient client, Deployment deployment) throws InterruptedException {
    return RealtimeRuntime.start(dev.slipstream.runtime.Main.fromEnvironment(environment(client, deployment)));
  }

  static Map<String, String> environment(KubernetesClient client, Deployment deployment) {
    String namespace = deployment.getMetadata().getNamespace();
    Container container = deployment.getSpec().getTemplate().getSpec().getContainers().getFirst();
    Map<String, String> env = new HashMap<>();
    for (EnvFromSource from : container.getEnvFrom()) {
      env.putAll(client.configMaps().inNamespace(namespace).withName(from.getConfigMapRef().getName()).get().getData());
    }
    for (EnvVar variable : container.getEnv()) {
      if (variable.getValue() != null) {
        env.put(variable.getName(), variable.getValue());
      } else if (variable.getValueFrom().getSecretKeyRef() != null) {
        var ref = variable.getValueFrom().getSecretKeyRef();
        Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
        env.put(variable.getName(), new String(Base64.getDecoder().decode(secret.getData().get(ref.getKey())),
            StandardCharsets.UTF_8));
      }
      // Downward API fields (pod name, namespace, IP) matter only to a pod of the tenant.
    }
    env.remove(RuntimeConfig.TENANT.name());
    env.remove(RuntimeConfig.SPILL_DIR.name());
    env.put(RuntimeConfig.HOST.name(), "127.0.0.1");
    env.put(RuntimeConfig.PORT.name(), "0");
    return env;
  }
}
