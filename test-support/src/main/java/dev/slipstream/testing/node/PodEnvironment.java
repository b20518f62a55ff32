package dev.slipstream.testing.node;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container's environment as the kubelet builds it: {@code envFrom} ConfigMaps and Secrets (with
 * their prefix), then {@code env} in order ({@code value} with {@code $(VAR)} references to the
 * variables before it, {@code configMapKeyRef}, {@code secretKeyRef}, and the downward API's
 * {@code fieldRef}s), each missing non-optional source an error naming it.
 */
final class PodEnvironment {

  private static final Pattern FIELD_KEY = Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]");
  private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

  private final KubernetesClient client;
  private final Pod pod;
  private final String podIp;
  private final String hostIp;

  PodEnvironment(KubernetesClient client, Pod pod, String podIp, String hostIp) {
    this.client = client;
    this.pod = pod;
    this.podIp = podIp;
    this.hostIp = hostIp;
  }

  Map<String, String> of(Container container) throws ContainerConfigException {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvFromSource source : container.getEnvFrom()) {
      String prefix = source.getPrefix() == null ? "" : source.getPrefix();
      Map<String, String> values = null;
      if (source.getConfigMapRef() != null) {
        ConfigMap map = configMap(source.getConfigMapRef().getName(), source.getConfigMapRef().getOptional());
        values = map == null ? null : map.getData();
      } else if (source.getSecretRef() != null) {
        Secret secret = secret(source.getSecretRef().getName(), source.getSecretRef().getOptional());
        values = secret == null ? null : decoded(secret);
      }
      if (values != null) {
        values.forEach((key, value) -> {
          if (ENV_NAME.matcher(prefix + key).matches()) {
            env.put(prefix + key, value);
          }
        });
      }
    }
    for (EnvVar variable : container.getEnv()) {
      String value = variable.getValueFrom() == null ? expand(variable.getValue() == null ? "" : variable.getValue(), env)
          : valueFrom(variable.getName(), variable.getValueFrom());
      if (value != null) {
        env.put(variable.getName(), value);
      }
    }
    return env;
  }

  private String valueFrom(String name, EnvVarSource from) throws ContainerConfigException {
    if (from.getConfigMapKeyRef() != null) {
      var ref = from.getConfigMapKeyRef();
      ConfigMap map = configMap(ref.getName(), ref.getOptional());
      String value = map == null || map.getData() == null ? null : map.getData().get(ref.getKey());
      if (value == null && !Boolean.TRUE.equals(ref.getOptional())) {
        throw ContainerConfigException.config("couldn't find key " + ref.getKey() + " in ConfigMap "
            + namespace() + "/" + ref.getName() + " (env " + name + ")");
      }
      return value;
    }
    if (from.getSecretKeyRef() != null) {
      var ref = from.getSecretKeyRef();
      Secret secret = secret(ref.getName(), ref.getOptional());
      String value = secret == null ? null : decoded(secret).get(ref.getKey());
      if (value == null && !Boolean.TRUE.equals(ref.getOptional())) {
        throw ContainerConfigException.config("couldn't find key " + ref.getKey() + " in Secret "
            + namespace() + "/" + ref.getName() + " (env " + name + ")");
      }
      return value;
    }
    if (from.getFieldRef() != null) {
      return field(name, from.getFieldRef().getFieldPath());
    }
    throw ContainerConfigException.config("env " + name + ": only configMapKeyRef, secretKeyRef and fieldRef are "
        + "emulated by this node agent");
  }

  /** The downward API's fields. */
  private String field(String name, String path) throws ContainerConfigException {
    var metadata = pod.getMetadata();
    switch (path) {
      case "metadata.name":
        return metadata.getName();
      case "metadata.namespace":
        return metadata.getNamespace();
      case "metadata.uid":
        return metadata.getUid();
      case "spec.nodeName":
        return pod.getSpec().getNodeName();
      case "spec.serviceAccountName":
        return pod.getSpec().getServiceAccountName();
      case "status.podIP", "status.podIPs":
        return podIp;
      case "status.hostIP", "status.hostIPs":
        return hostIp;
      default:
        Matcher keyed = FIELD_KEY.matcher(path);
        if (keyed.matches()) {
          Map<String, String> values = keyed.group(1).equals("labels") ? metadata.getLabels() : metadata.getAnnotations();
          return values == null ? "" : values.getOrDefault(keyed.group(2), "");
        }
        throw ContainerConfigException.config("env " + name + ": fieldRef " + path + " is not emulated by this node "
            + "agent");
    }
  }

  private ConfigMap configMap(String name, Boolean optional) throws ContainerConfigException {
    ConfigMap map = client.configMaps().inNamespace(namespace()).withName(name).get();
    if (map == null && !Boolean.TRUE.equals(optional)) {
      throw ContainerConfigException.config("configmap \"" + name + "\" not found");
    }
    return map;
  }

  private Secret secret(String name, Boolean optional) throws ContainerConfigException {
    Secret secret = client.secrets().inNamespace(namespace()).withName(name).get();
    if (secret == null && !Boolean.TRUE.equals(optional)) {
      throw ContainerConfigException.config("secret \"" + name + "\" not found");
    }
    return secret;
  }

  private String namespace() {
    return pod.getMetadata().getNamespace();
  }

  private static Map<String, String> decoded(Secret secret) {
    Map<String, String> values = new LinkedHashMap<>();
    if (secret.getData() != null) {
      secret.getData().forEach((key, value) -> values.put(key,
          new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8)));
    }
    if (secret.getStringData() != null) {
      values.putAll(secret.getStringData());
    }
    return values;
  }

  /** Kubernetes' {@code $(VAR)} expansion: defined variables are replaced, {@code $$} is a {@code $}, the rest stays. */
  static String expand(String text, Map<String, String> env) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '$' && i + 1 < text.length()) {
        char next = text.charAt(i + 1);
        if (next == '$') {
          out.append('$');
          i += 2;
          continue;
        }
        if (next == '(') {
          int close = text.indexOf(')', i + 2);
          if (close > 0 && env.containsKey(text.substring(i + 2, close))) {
            out.append(env.get(text.substring(i + 2, close)));
            i = close + 1;
            continue;
          }
        }
      }
      out.append(c);
      i++;
    }
    return out.toString();
  }

  static List<String> expand(List<String> parts, Map<String, String> env) {
    return parts.stream().map(part -> expand(part, env)).toList();
  }
}
