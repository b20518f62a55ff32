package dev.slipstream.testing.node;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIPBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pod's status as the kubelet reports it: phase, pod and host IP, start time, the conditions
 * (PodScheduled, Initialized, ContainersReady, Ready, each with the time it last changed) and one
 * status per container. Written (a JSON merge patch of the status subresource) only when it changed.
 */
final class PodStatusReport {

  private static final Logger LOG = LoggerFactory.getLogger(PodStatusReport.class);

  private final String podIp;
  private final String hostIp;
  private final String startTime = now();
  private final Map<String, PodCondition> conditions = new HashMap<>();
  private String written;

  PodStatusReport(String podIp, String hostIp) {
    this.podIp = podIp;
    this.hostIp = hostIp;
  }

  void write(KubernetesClient client, Pod pod, List<ContainerRun> containers) {
    PodStatus status = status(pod, containers);
    String json = client.getKubernetesSerialization().asJson(Map.of("status", status));
    if (json.equals(written)) {
      return;
    }
    try {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
          .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), json);
      written = json;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        LOG.warn("Pod {}/{}: cannot write its status: {}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
            e.getMessage());
      }
    }
  }

  PodStatus status(Pod pod, List<ContainerRun> containers) {
    List<ContainerStatus> statuses = new ArrayList<>();
    for (int i = 0; i < containers.size(); i++) {
      statuses.add(containers.get(i).status(pod.getSpec().getContainers().get(i).getImage()));
    }
    boolean allReady = containers.stream().allMatch(ContainerRun::ready);
    String notReady = allReady ? null : "containers with unready status: " + containers.stream()
        .filter(c -> !c.ready()).map(ContainerRun::name).toList();
    List<PodCondition> current = List.of(
        condition("PodReadyToStartContainers", true, null, null),
        condition("Initialized", true, null, null),
        condition("Ready", allReady, allReady ? null : "ContainersNotReady", notReady),
        condition("ContainersReady", allReady, allReady ? null : "ContainersNotReady", notReady),
        condition("PodScheduled", true, null, null));
    return new PodStatusBuilder().withPhase(phase(containers)).withHostIP(hostIp).addNewHostIP(hostIp)
        .withPodIP(podIp).withPodIPs(new PodIPBuilder().withIp(podIp).build()).withStartTime(startTime)
        .withQosClass(pod.getStatus() == null ? null : pod.getStatus().getQosClass())
        .withConditions(current).withContainerStatuses(statuses).build();
  }

  private static String phase(List<ContainerRun> containers) {
    if (containers.stream().allMatch(ContainerRun::finished)) {
      return containers.stream().allMatch(c -> c.status("").getState().getTerminated().getExitCode() == 0)
          ? "Succeeded" : "Failed";
    }
    return containers.stream().anyMatch(c -> c.running() || c.status("").getLastState().getTerminated() != null)
        ? "Running" : "Pending";
  }

  /** The condition, with its last transition time kept while its status stays the same. */
  private PodCondition condition(String type, boolean status, String reason, String message) {
    String value = status ? "True" : "False";
    PodCondition before = conditions.get(type);
    String since = before != null && before.getStatus().equals(value) ? before.getLastTransitionTime()
        : now();
    PodCondition condition = new PodConditionBuilder().withType(type).withStatus(value).withReason(reason)
        .withMessage(message).withLastTransitionTime(since).build();
    conditions.put(type, condition);
    return condition;
  }

  /** Kubernetes times are whole seconds. */
  static String now() {
    return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
  }
}
