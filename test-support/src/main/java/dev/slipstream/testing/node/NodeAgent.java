package dev.slipstream.testing.node;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small kubelet stand-in for a local control plane: it registers a Node, binds every pod waiting
 * for a node to itself (one node, so it is the scheduler too; node selectors, affinities and taints
 * are not looked at), and runs the pods bound to it as local processes, one {@link PodWorker} each:
 * each container's command from a {@link LocalImages} mapping (no container engine here), its
 * environment (values, ConfigMap and Secret references, the downward API), its own address as pod
 * IP ({@link PodAddresses}: in 10.244.0.0/16 where that range is local, else on loopback), HTTP
 * and TCP probes, restarts, status and readiness; SIGTERM, the grace period
 * and SIGKILL when the pod is deleted, then the Pod object's removal.
 *
 * <p>What differs from a kubelet: processes share the machine's file system (volumes are not
 * mounted: a path in the pod is the same path here) and network (hence an address per pod),
 * and reach the API server through a kubeconfig in {@code KUBECONFIG} holding the pod's service
 * account token (see {@link PodCredentials}), not through files under
 * {@code /var/run/secrets/kubernetes.io/serviceaccount}. Init containers, exec and gRPC probes and
 * resource field references are not emulated.
 */
public final class NodeAgent implements AutoCloseable {

  /** A container process of a pod on this node. */
  public record RunningContainer(String namespace, String pod, String container, long pid, String podIp, Path log) {
  }

  private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
  private static final String DEFAULT_SCHEDULER = "default-scheduler";

  private final KubernetesClient client;
  private final String nodeName;
  private final LocalImages images;
  private final Path podsDir;
  private final PodAddresses addresses = new PodAddresses();
  private final Map<String, PodWorker> workers = new ConcurrentHashMap<>();
  private final Map<String, Thread> threads = new ConcurrentHashMap<>();
  /** Pods whose worker ended: a late event about one must not run it again. */
  private final java.util.Set<String> done = ConcurrentHashMap.newKeySet();
  private final List<SharedIndexInformer<Pod>> informers = new ArrayList<>();
  private volatile boolean closing;

  private NodeAgent(KubernetesClient client, String nodeName, LocalImages images, Path podsDir) {
    this.client = client;
    this.nodeName = nodeName;
    this.images = images;
    this.podsDir = podsDir.toAbsolutePath();
  }

  /**
   * Registers the node and starts running pods.
   *
   * @param client a client allowed what a kubelet and a scheduler are (here: the control plane's admin)
   * @param podsDir where each pod gets a directory with its containers' logs and its kubeconfig
   */
  public static NodeAgent start(KubernetesClient client, String nodeName, LocalImages images, Path podsDir) {
    NodeAgent agent = new NodeAgent(client, nodeName, images, podsDir);
    String version = client.getKubernetesVersion().getGitVersion();
    NodeRegistration.register(client, nodeName, agent.addresses.cidr(), version);
    agent.informers.add(client.pods().inAnyNamespace().withField("spec.nodeName", nodeName)
        .inform(agent.new BoundPods(), 0));
    agent.informers.add(client.pods().inAnyNamespace().withField("spec.nodeName", "")
        .inform(agent.new Scheduler(), 0));
    LOG.info("Node {} registered: pods get addresses in {}, logs under {}", nodeName, agent.addresses.cidr(),
        agent.podsDir);
    return agent;
  }

  public String nodeName() {
    return nodeName;
  }

  /**
   * Whether pod addresses can stand in EndpointSlices: true in the pod network 10.244.0.0/16, false
   * with the loopback fallback (see {@code bin/lib/pod-network/bin/java}).
   */
  public boolean podAddressesRoutable() {
    return addresses.routable();
  }

  /** The containers running on this node now. */
  public List<RunningContainer> running() {
    return workers.values().stream().flatMap(worker -> worker.running().stream()).toList();
  }

  /** The running containers of one namespace's pods whose name starts with {@code prefix}. */
  public List<RunningContainer> running(String namespace, String prefix) {
    return running().stream().filter(c -> c.namespace().equals(namespace) && c.pod().startsWith(prefix)).toList();
  }

  /** Stops every pod's processes within {@code grace} (then SIGKILL); the API objects are left as they are. */
  public void close(Duration grace) {
    closing = true;
    informers.forEach(SharedIndexInformer::close);
    workers.values().forEach(worker -> worker.shutdown(grace));
    for (Thread thread : threads.values()) {
      try {
        thread.join(grace.plusSeconds(15).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(5));
  }

  private void run(Pod pod) {
    String uid = pod.getMetadata().getUid();
    PodWorker existing = workers.get(uid);
    if (existing != null) {
      existing.update(pod);
      return;
    }
    if (closing || isFinished(pod) || done.contains(uid)) {
      return;
    }
    PodWorker worker = new PodWorker(client, images, addresses, podsDir, pod);
    workers.put(uid, worker);
    Thread thread = Thread.ofVirtual().name("pod-" + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName())
        .unstarted(() -> {
          try {
            worker.run();
          } finally {
            done.add(uid);
            workers.remove(uid, worker);
            threads.remove(uid);
          }
        });
    threads.put(uid, thread);
    thread.start();
  }

  private static boolean isFinished(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  /** The pods bound to this node. */
  private final class BoundPods implements ResourceEventHandler<Pod> {
    @Override
    public void onAdd(Pod pod) {
      run(pod);
    }

    @Override
    public void onUpdate(Pod before, Pod pod) {
      run(pod);
    }

    @Override
    public void onDelete(Pod pod, boolean finalStateUnknown) {
      PodWorker worker = workers.get(pod.getMetadata().getUid());
      if (worker != null) {
        worker.vanished();
      }
    }
  }

  /** The pods waiting for a node: all bound here. */
  private final class Scheduler implements ResourceEventHandler<Pod> {
    @Override
    public void onAdd(Pod pod) {
      bind(pod);
    }

    @Override
    public void onUpdate(Pod before, Pod pod) {
      bind(pod);
    }

    @Override
    public void onDelete(Pod pod, boolean finalStateUnknown) {
    }

    private void bind(Pod pod) {
      String scheduler = pod.getSpec().getSchedulerName();
      if (closing || pod.getMetadata().getDeletionTimestamp() != null
          || scheduler != null && !scheduler.equals(DEFAULT_SCHEDULER)) {
        return;
      }
      try {
        client.bindings().inNamespace(pod.getMetadata().getNamespace()).resource(new BindingBuilder().withNewMetadata()
            .withName(pod.getMetadata().getName()).withNamespace(pod.getMetadata().getNamespace())
            .withUid(pod.getMetadata().getUid()).endMetadata().withNewTarget().withApiVersion("v1").withKind("Node")
            .withName(nodeName).endTarget().build()).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 && e.getCode() != 404) {
          LOG.warn("Cannot bind pod {}/{} to {}: {}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
              nodeName, e.getMessage());
        }
      }
    }
  }
}
