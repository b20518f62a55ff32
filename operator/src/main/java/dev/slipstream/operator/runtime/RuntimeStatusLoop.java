package dev.slipstream.operator.runtime;

import dev.slipstream.api.v1alpha1.PendingScaleDown;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RealtimeTenantStatus;
import dev.slipstream.api.v1alpha1.RuntimePodStatus;
import dev.slipstream.api.v1alpha1.RuntimeStatus;
import dev.slipstream.operator.config.OperatorConfig;
import dev.slipstream.operator.model.InvalidTenantException;
import dev.slipstream.operator.model.RuntimeLabels;
import dev.slipstream.operator.model.RuntimeScaling;
import dev.slipstream.operator.reconcile.ConditionEvents;
import dev.slipstream.operator.reconcile.Recheck;
import dev.slipstream.operator.reconcile.TrimmedItemStore;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's half of the runtime's status loop, for one tenant per {@link #run}: the runtime
 * pods write their own entries of {@code status.runtime.pods[]}; this
 * <ol>
 *   <li><b>prunes</b> the entries of pods that no longer exist, or that have not reported within
 *       {@code SLIPSTREAM_RUNTIME_REPORT_TIMEOUT} (a killed pod cannot remove its own), with a
 *       guarded JSON patch ({@link PodEntryRemoval});
 *   <li><b>scales</b> the runtime Deployment ({@link Autoscaler}): its {@code spec.replicas} is
 *       applied under the runtime field manager, every decision an Event on the tenant;
 *   <li><b>aggregates</b> the rest of {@code status.runtime}: replicas and readyReplicas from the
 *       Deployment, the leader and the connected clients from the live entries, the pods' label
 *       selector (for the scale subresource), the scale-down in wait.
 * </ol>
 *
 * <p>A part of every round of the tenant's one controller ({@code tenant.TenantReconciler}), which
 * runs it after the database workflow, or alone when the workflow has nothing to do (a pod's
 * report, a pod or Deployment count moving): it never touches the tenant's database, so its pace
 * costs the database nothing, and it keeps scaling while the database is unreachable. It writes
 * status under its own field manager ({@link OperatorConfig#RUNTIME_FIELD_MANAGER}), never the
 * {@code pods} list: server-side apply leaves the pods' entries alone, and the workflow's fields
 * (conditions, phase, slot) too.
 */
public final class RuntimeStatusLoop {

  private static final Logger LOG = LoggerFactory.getLogger(RuntimeStatusLoop.class);
  /** A removal that lost a race is tried again this soon, on a fresh read. */
  private static final Duration RETRY_REMOVAL = Duration.ofSeconds(1);

  private final Duration reportTimeout;
  private final Clock clock;
  /** What was last logged per tenant about leader claims and held-back scale-downs: each said once. */
  private final Map<String, String> logged = new ConcurrentHashMap<>();

  public RuntimeStatusLoop(OperatorConfig config) {
    this(config, Clock.systemUTC());
  }

  public RuntimeStatusLoop(OperatorConfig config, Clock clock) {
    this.reportTimeout = config.runtimeReportTimeout();
    this.clock = clock;
  }

  /**
   * The runtime's Pods (the labels every tenant's runtime carries), each mapped to its tenant by the
   * instance label (a Pod belongs to a ReplicaSet, not to the tenant), cached as far as this loop
   * reads them ({@link RuntimeCaches}). The Deployment is the workflow's informer's.
   */
  public static InformerEventSource<Pod, RealtimeTenant> podEventSource(EventSourceContext<RealtimeTenant> context) {
    return new InformerEventSource<>(InformerEventSourceConfiguration.from(Pod.class, RealtimeTenant.class)
        .withName("runtime-pods").withLabelSelector(RuntimeLabels.everyRuntime())
        .withItemStore(TrimmedItemStore.forOneInformer(context, RuntimeCaches::pods))
        .withSecondaryToPrimaryMapper((Pod pod) -> {
          String tenant = pod.getMetadata().getLabels() == null ? null
              : pod.getMetadata().getLabels().get(RuntimeLabels.INSTANCE);
          return tenant == null ? Set.of() : Set.of(new ResourceID(tenant, pod.getMetadata().getNamespace()));
        }).build(), context);
  }

  /** Forgets what was logged about the tenant (it is being deleted). */
  public void forget(RealtimeTenant tenant) {
    logged.keySet().removeIf(key -> key.startsWith(key(tenant) + "/"));
  }

  /**
   * Prunes, scales and aggregates the tenant's runtime.
   *
   * @return when to look again (an entry expiring, a removal that lost a race, a scale-down's wait
   *     ending), or null
   */
  public Instant run(RealtimeTenant tenant, Context<RealtimeTenant> context) {
    Instant now = clock.instant();
    RuntimeStatus runtime = tenant.getStatus() == null ? null : tenant.getStatus().getRuntime();
    List<RuntimePodStatus> entries = runtime == null || runtime.getPods() == null ? List.of() : runtime.getPods();
    PodReports reports = PodReports.of(entries, livePods(tenant, context, entries), now, reportTimeout);

    RealtimeTenant current = tenant;
    Instant recheckAt = reports.nextExpiry();
    if (!reports.removals().isEmpty()) {
      RealtimeTenant pruned = remove(tenant, context, reports.removals());
      if (pruned == null) {
        recheckAt = Recheck.earliest(recheckAt, now.plus(RETRY_REMOVAL));
      } else {
        current = pruned;
      }
    }
    logLeaderClaims(tenant, reports);

    PendingScaleDown pending = runtime == null ? null : runtime.getPendingScaleDown();
    Deployment deployment = context.getSecondaryResource(Deployment.class).orElse(null);
    if (deployment != null) {
      Autoscaler.Decision decision = decide(tenant, deployment, reports, pending, now);
      if (decision != null) {
        scale(tenant, context, deployment, decision);
        pending = decision.pending();
        recheckAt = Recheck.earliest(recheckAt, decision.recheckAt());
      }
    }

    RuntimeStatus next = aggregate(tenant, deployment, reports, pending);
    // Before any pod reports and the Deployment controller has counted the pods there is nothing to
    // say yet: a new tenant's first write would be all zeros, and the counts' first report follows.
    boolean nothingYet = runtime == null && (deployment == null || deployment.getStatus() == null
        || deployment.getStatus().getReplicas() == null && deployment.getStatus().getReadyReplicas() == null);
    if (!nothingYet && !same(runtime, next)) {
      write(current, patch(tenant, next), context);
    }
    // A little after the moment, so that the entry has expired (or the wait ended) when it runs.
    return recheckAt == null ? null : recheckAt.plusMillis(100);
  }

  /**
   * Applies {@code status.runtime} under the runtime field manager, and keeps the result in the
   * controller's cache so that the next round reads it. Not JOSDK's
   * {@code PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource}: that applies under the
   * controller's field manager, the workflow's, and each apply would then drop the other's fields
   * (the conditions, or {@code status.runtime}).
   */
  private static void write(RealtimeTenant current, RealtimeTenant patch, Context<RealtimeTenant> context) {
    RealtimeTenant applied = context.getClient().resource(patch).subresource("status")
        .patch(new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY)
            .withFieldManager(OperatorConfig.RUNTIME_FIELD_MANAGER).withForce(true).build());
    context.eventSourceRetriever().getControllerEventSource()
        .handleRecentResourceUpdate(ResourceID.fromResource(applied), applied, current);
  }

  /** The tenant's runtime pods that have not terminated, from the informer, and from the API server for entries the informer has not seen. */
  private static Map<String, PodReports.PodState> livePods(RealtimeTenant tenant, Context<RealtimeTenant> context,
      List<RuntimePodStatus> entries) {
    Map<String, PodReports.PodState> pods = new HashMap<>();
    context.getSecondaryResources(Pod.class).stream().filter(p -> ofTenant(p, tenant) && !terminated(p))
        .forEach(p -> pods.put(p.getMetadata().getName(), new PodReports.PodState(ready(p))));
    // A pod may write its entry before the informer has seen it: an entry is "gone" only when the API server says so.
    for (RuntimePodStatus entry : entries) {
      if (entry.getName() != null && !pods.containsKey(entry.getName())) {
        Pod pod = context.getClient().pods().inNamespace(tenant.getMetadata().getNamespace()).withName(entry.getName()).get();
        if (pod != null && ofTenant(pod, tenant) && !terminated(pod)) {
          pods.put(pod.getMetadata().getName(), new PodReports.PodState(ready(pod)));
        }
      }
    }
    return pods;
  }

  private static boolean ofTenant(Pod pod, RealtimeTenant tenant) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    return labels != null && RuntimeLabels.selector(tenant.getMetadata().getName()).entrySet().stream()
        .allMatch(l -> l.getValue().equals(labels.get(l.getKey())));
  }

  private static boolean terminated(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  /** Ready as the Service sees it: the Ready condition, and not on its way out. */
  private static boolean ready(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus() != null
        && pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** Removes the entries; the tenant as patched, or null when the list moved under the patch (tried again soon). */
  private RealtimeTenant remove(RealtimeTenant tenant, Context<RealtimeTenant> context, List<PodReports.Removal> removals) {
    String key = key(tenant);
    try {
      RealtimeTenant patched = context.getClient().resources(RealtimeTenant.class)
          .inNamespace(tenant.getMetadata().getNamespace()).withName(tenant.getMetadata().getName())
          .subresource("status")
          .patch(new PatchContext.Builder().withPatchType(PatchType.JSON)
              .withFieldManager(OperatorConfig.RUNTIME_FIELD_MANAGER).build(), PodEntryRemoval.jsonPatch(removals));
      removals.forEach(r -> LOG.info("{}: removed the status.runtime.pods entry of {}: {}", key, r.name(),
          r.describe(reportTimeout)));
      return patched;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 422) {
        throw e;
      }
      LOG.debug("{}: the status.runtime.pods entries moved while removing {}; trying again: {}", key,
          removals.stream().map(PodReports.Removal::name).toList(), e.getMessage());
      return null;
    }
  }

  private void logLeaderClaims(RealtimeTenant tenant, PodReports reports) {
    List<RuntimePodStatus> claims = reports.leaderClaims();
    String key = key(tenant) + "/leader";
    if (claims.size() < 2) {
      logged.remove(key);
      return;
    }
    String said = claims.stream().map(c -> c.getName() + " (reported " + c.getReportedAt() + ")")
        .collect(Collectors.joining(", "));
    if (!said.equals(logged.put(key, said))) {
      LOG.warn("{}: {} pods report role Leader: {}; status.runtime.leader names the most recent, {}", key(tenant),
          claims.size(), said, claims.getFirst().getName());
    }
  }

  /** The autoscaler's decision, or null when the tenant's scaling spec cannot be read. */
  private Autoscaler.Decision decide(RealtimeTenant tenant, Deployment deployment, PodReports reports,
      PendingScaleDown pending, Instant now) {
    RuntimeScaling scaling;
    try {
      scaling = RuntimeScaling.of(tenant);
    } catch (InvalidTenantException e) {
      LOG.warn("{}: not scaling the runtime: {}", key(tenant), e.getMessage());
      return null;
    }
    Autoscaler.Decision decision = Autoscaler.decide(scaling, replicas(deployment), reports.connectedClients(),
        reports.unreported(), pending, now);
    String key = key(tenant) + "/held";
    if (decision.heldBack() == null) {
      logged.remove(key);
    } else if (!decision.heldBack().equals(logged.put(key, decision.heldBack()))) {
      LOG.info("{}: not scaling the runtime down from {} while {}", key(tenant), replicas(deployment), decision.heldBack());
    }
    return decision;
  }

  /**
   * Sets the Deployment's replicas when they change. A new Deployment starts at Kubernetes' default
   * of 1, which nobody owns (the workflow's apply leaves {@code spec.replicas} out): at
   * {@code replicas.min} 1 there is nothing to apply, and the first count that differs is applied
   * under this reconciler's field manager, which owns it from then on.
   */
  @SuppressWarnings("unchecked")
  private void scale(RealtimeTenant tenant, Context<RealtimeTenant> context, Deployment deployment,
      Autoscaler.Decision decision) {
    int current = replicas(deployment);
    if (decision.replicas() != current) {
      Deployment patch = new DeploymentBuilder()
          .withNewMetadata().withName(deployment.getMetadata().getName())
          .withNamespace(deployment.getMetadata().getNamespace()).endMetadata()
          .withNewSpec().withReplicas(decision.replicas()).endSpec()
          .build();
      Deployment applied = context.getClient().apps().deployments().inNamespace(deployment.getMetadata().getNamespace())
          .resource(patch).patch(new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY)
              .withFieldManager(OperatorConfig.RUNTIME_FIELD_MANAGER).withForce(true).build());
      // The next reconcile (the pods report every few seconds) must see this count, not the informer's older one.
      ((InformerEventSource<Deployment, RealtimeTenant>) context.eventSourceRetriever().getEventSourceFor(Deployment.class))
          .handleRecentResourceUpdate(ResourceID.fromResource(applied), applied, deployment);
    }
    if (decision.event() != null) {
      LOG.info("{}: {}", key(tenant), decision.event().message());
      ConditionEvents.record(context.getClient(), tenant, ConditionEvents.NORMAL, decision.event().reason(),
          decision.event().message());
    }
  }

  /** The Deployment's {@code spec.replicas}; Kubernetes' default, 1, when unset. */
  private static int replicas(Deployment deployment) {
    return deployment.getSpec() == null || deployment.getSpec().getReplicas() == null ? 1
        : deployment.getSpec().getReplicas();
  }

  private static RuntimeStatus aggregate(RealtimeTenant tenant, Deployment deployment, PodReports reports,
      PendingScaleDown pending) {
    RuntimeStatus status = new RuntimeStatus();
    // Never the pods: each entry is its pod's (and server-side apply leaves what this manager does not send alone).
    status.setPods(null);
    if (deployment != null) {
      status.setReplicas(deployment.getStatus() == null || deployment.getStatus().getReplicas() == null ? 0
          : deployment.getStatus().getReplicas());
      status.setReadyReplicas(deployment.getStatus() == null || deployment.getStatus().getReadyReplicas() == null ? 0
          : deployment.getStatus().getReadyReplicas());
    }
    status.setLeader(reports.leader().orElse(null));
    status.setConnectedClients(reports.connectedClients());
    status.setSelector(RuntimeLabels.selectorString(tenant.getMetadata().getName()));
    status.setPendingScaleDown(pending);
    return status;
  }

  /** Whether the status already says what this reconciler would write. */
  static boolean same(RuntimeStatus current, RuntimeStatus next) {
    if (current == null) {
      return false;
    }
    return Objects.equals(current.getReplicas(), next.getReplicas())
        && Objects.equals(current.getReadyReplicas(), next.getReadyReplicas())
        && Objects.equals(current.getLeader(), next.getLeader())
        && Objects.equals(current.getConnectedClients(), next.getConnectedClients())
        && Objects.equals(current.getSelector(), next.getSelector())
        && Objects.equals(pendingKey(current.getPendingScaleDown()), pendingKey(next.getPendingScaleDown()));
  }

  private static List<Object> pendingKey(PendingScaleDown pending) {
    return pending == null ? null : java.util.Arrays.asList(pending.getSince(), pending.getReplicas());
  }

  /** The server-side apply patch: the tenant's identity and {@code status.runtime} without its pods. */
  static RealtimeTenant patch(RealtimeTenant tenant, RuntimeStatus runtime) {
    RealtimeTenant patch = new RealtimeTenant();
    patch.setMetadata(new ObjectMetaBuilder().withName(tenant.getMetadata().getName())
        .withNamespace(tenant.getMetadata().getNamespace()).build());
    patch.setSpec(null);
    RealtimeTenantStatus status = new RealtimeTenantStatus();
    status.setConditions(null);
    status.setRuntime(runtime);
    patch.setStatus(status);
    return patch;
  }

  private static String key(RealtimeTenant tenant) {
    return tenant.getMetadata().getNamespace() + "/" + tenant.getMetadata().getName();
  }
}
