package dev.slipstream.testing.node;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.lang.management.ManagementFactory;
import java.util.Map;

/**
 * The Node object of this machine: Ready, its pod CIDR, what it has. No heartbeat: the local
 * control plane does not run the node lifecycle controller, which is the only one that would mark
 * a silent node NotReady and evict its pods.
 */
final class NodeRegistration {

  private NodeRegistration() {
  }

  static void register(KubernetesClient client, String name, String podCidr, String kubeletVersion) {
    Node node = new NodeBuilder().withNewMetadata().withName(name)
        .withLabels(Map.of("kubernetes.io/hostname", name, "kubernetes.io/os", "linux", "kubernetes.io/arch", arch()))
        .endMetadata().withNewSpec().withPodCIDR(podCidr).withPodCIDRs(podCidr).endSpec().build();
    client.nodes().resource(node).createOr(existing -> existing.update());
    client.nodes().withName(name).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
        client.getKubernetesSerialization().asJson(Map.of("status", status(name, kubeletVersion))));
  }

  private static NodeStatus status(String name, String kubeletVersion) {
    String now = PodStatusReport.now();
    long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize();
    Map<String, Quantity> capacity = Map.of("cpu", new Quantity(Integer.toString(Runtime.getRuntime()
        .availableProcessors())), "memory", new Quantity(Long.toString(memory)), "pods", new Quantity("110"));
    return new NodeStatusBuilder()
        .withCapacity(capacity).withAllocatable(capacity)
        .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady")
          .withMessage("the Slipstream node agent runs pods as local processes").withLastHeartbeatTime(now)
          .withLastTransitionTime(now).endCondition()
        .addNewCondition().withType("MemoryPressure").withStatus("False").withReason("KubeletHasSufficientMemory")
          .withLastHeartbeatTime(now).withLastTransitionTime(now).endCondition()
        .addNewCondition().withType("DiskPressure").withStatus("False").withReason("KubeletHasNoDiskPressure")
          .withLastHeartbeatTime(now).withLastTransitionTime(now).endCondition()
        .addNewCondition().withType("PIDPressure").withStatus("False").withReason("KubeletHasSufficientPID")
          .withLastHeartbeatTime(now).withLastTransitionTime(now).endCondition()
        .addNewAddress().withType("InternalIP").withAddress(PodWorker.HOST_IP).endAddress()
        .addNewAddress().withType("Hostname").withAddress(name).endAddress()
        .withNewNodeInfo().withKubeletVersion(kubeletVersion).withOperatingSystem("linux").withArchitecture(arch())
          .withContainerRuntimeVersion("local-process://1").withOsImage(System.getProperty("os.name") + " "
              + System.getProperty("os.version")).withKernelVersion(System.getProperty("os.version"))
          .withMachineID("").withSystemUUID("").withBootID("").withKubeProxyVersion("").endNodeInfo()
        .build();
  }

  private static String arch() {
    String arch = System.getProperty("os.arch");
    return arch.equals("x86_64") || arch.equals("amd64") ? "amd64" : arch.equals("aarch64") ? "arm64" : arch;
  }
}
