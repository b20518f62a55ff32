package dev.slipstream.bench.scenario;

import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.TenantPhase;
import dev.slipstream.bench.core.BenchContext;
import dev.slipstream.bench.core.Metric;
import dev.slipstream.bench.core.Options;
import dev.slipstream.bench.core.Progress;
import dev.slipstream.bench.core.Scenario;
import dev.slipstream.bench.core.ScenarioResult;
import dev.slipstream.bench.core.Waits;
import dev.slipstream.operator.Main;
import dev.slipstream.operator.config.OperatorConfig;
import dev.slipstream.operator.model.PublicationNames;
import dev.slipstream.operator.model.RelayKeySecret;
import dev.slipstream.operator.model.ResolvedInputs;
import dev.slipstream.operator.model.RuntimeModel;
import dev.slipstream.operator.model.SlotNames;
import dev.slipstream.operator.reconcile.TrimmedItemStore;
import dev.slipstream.operator.tenant.TenantReconciler;
import dev.slipstream.testing.RepositoryLayout;
import dev.slipstream.testing.kube.TestApiServer;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * 7. Operator scale. T tenants (default 200; the test API server's range holds 65,534 Services), each with its
 * credentials Secret and one RealtimePublication, applied at once to a real kube-apiserver (kube-api-test) with one
 * PostgreSQL; the operator runs in this JVM as {@code Main} starts it. No kubelet runs here: a
 * stand-in marks each runtime Deployment ready as it appears, as the operator tests do. Measured:
 * the time until every tenant's phase is {@code Ready}, reconciles per second (JOSDK's counter of
 * started reconciles, both controllers, and what triggered them), and the operator's heap growth after full collections.
 *
 * <p>Baseline, in the same run, on a fresh namespace: the same end state made directly, without
 * the operator, by as many threads as the operator has reconcile threads: the Secret, tenant and
 * publication resources, the publication and slot in PostgreSQL, the runtime's eight objects (from
 * the operator's own model builders) and the stand-in's Deployment status. The ratio says what the
 * operator's checks, status writes and event-driven rounds cost on top of the work itself.
 */
public final class OperatorScaleScenario implements Scenario {

  private static final String STAND_IN = "bench-kubelet";

  @Override
  public String name() {
    return "operator";
  }

  @Override
  public String title() {
    return "Operator scale";
  }

  @Override
  public ScenarioResult run(BenchContext context, Options o) throws Exception {
    long started = System.nanoTime();
    // Each tenant's client Service takes a ClusterIP: TestApiServer's range (10.0.0.0/16) holds
    // 65,534, where kube-api-test's own /24 held 254; see docs/local-cluster.md.
    int tenants = o.integer("tenants", 200);
    int threads = o.integer("reconcileThreads", 10);
    Duration timeout = o.seconds("timeoutSeconds", 240);
    List<String> notes = new ArrayList<>();
    Map<String, Long> counts = new LinkedHashMap<>();
    TestPostgres pg = TestPostgres.logical()
        .with("max_replication_slots", String.valueOf(2 * tenants + 10))
        .with("max_connections", "200")
        .start();
    double operatorSeconds;
    long reconciles;
    double rechecks;
    long heapGrowth;
    String triggers;
    String calls;
    double baselineSeconds;
    try {
      pg.execute("CREATE TABLE scale_items (id bigserial PRIMARY KEY, body text)");
      String ns = "scale";
      try (TestApiServer kube = TestApiServer.start()) {
        kube.installCrds(RepositoryLayout.crds());
        KubernetesClient client = kube.client();
        createNamespace(client, ns);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        long heapBefore = heapAfterGc();
        HeapHistograms.write("before");
        // The operator closes its client when it stops: it gets one of its own.
        ApiCalls apiCalls = new ApiCalls();
        KubernetesClient operatorClient = new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(kube.kubeconfigYaml()))
            .withHttpClientBuilderConsumer(http -> http.addOrReplaceInterceptor("bench-api-calls", apiCalls)).build();
        Operator operator = Main.start(operatorClient, OperatorConfig.fromEnv(Map.of(
            "SLIPSTREAM_RECONCILE_THREADS", String.valueOf(threads))), registry, null);
        // Held only here, and dropped once stopped: a stopped informer keeps its cache (a full copy of
        // every runtime Deployment, template and managedFields included), which is not the operator's heap.
        AtomicReference<SharedIndexInformer<Deployment>> kubelet = new AtomicReference<>(standInKubelet(client, ns));
        try {
          Progress.step("operator: applying " + tenants + " tenants");
          long applyStart = System.nanoTime();
          applyTenants(client, ns, tenants, pg, threads);
          Waits.until(() -> ready(client, ns) >= tenants, timeout,
              () -> ready(client, ns) + " of " + tenants + " tenants Ready");
          operatorSeconds = (System.nanoTime() - applyStart) / 1e9;
          reconciles = (long) registry.find("operator.sdk.reconciliations.started").counters().stream()
              .mapToDouble(Counter::count).sum();
          rechecks = rechecks(registry);
          triggers = breakdown(registry, tenants);
          calls = "Per tenant, the operator's requests to the API server: "
              + ApiCalls.perUnit(apiCalls.snapshot(), tenants) + ".";
          stop(kubelet);
          heapGrowth = heapAfterGc() - heapBefore;
          HeapHistograms.write("ready");
          counts.put("ready", ready(client, ns));
          counts.put("expected", (long) tenants);
          counts.put("slots", slotCount(pg));
        } finally {
          stop(kubelet);
          Main.stop(operator);
        }
      }
      Progress.step(String.format("operator: %d tenants Ready in %.1f s, %d reconciles", tenants, operatorSeconds,
          reconciles));

      // --- the baseline: the same end state, made directly, on an API server of its own (ClusterIPs are few)
      try (TestApiServer kube = TestApiServer.start()) {
        kube.installCrds(RepositoryLayout.crds());
        KubernetesClient client = kube.client();
        createNamespace(client, ns);
        SharedIndexInformer<Deployment> baselineKubelet = standInKubelet(client, ns);
        try {
          Progress.step("baseline: making the same end state directly with " + threads + " threads");
          long baseStart = System.nanoTime();
          makeDirectly(client, ns, tenants, pg, threads);
          Waits.until(() -> readyDeployments(client, ns) >= tenants, timeout,
              () -> readyDeployments(client, ns) + " of " + tenants + " Deployments ready");
          baselineSeconds = (System.nanoTime() - baseStart) / 1e9;
        } finally {
          baselineKubelet.stop();
        }
      }
      Progress.step(String.format("baseline: %.1f s", baselineSeconds));
    } finally {
      pg.stop();
    }
    List<Metric> metrics = new ArrayList<>();
    String baseline = "direct SQL + API calls, " + threads + " threads";
    metrics.add(Metric.of("time until " + tenants + " tenants are Ready", "s", operatorSeconds, baseline,
        baselineSeconds));
    metrics.add(Metric.of("tenants Ready per second", "tenants/s", tenants / operatorSeconds, baseline,
        tenants / baselineSeconds));
    metrics.add(Metric.of("reconciles per second (all controllers)", "reconciles/s", reconciles / operatorSeconds,
        "", Double.NaN));
    metrics.add(Metric.of("reconciles per tenant", "reconciles", (double) reconciles / tenants, "", Double.NaN));
    metrics.add(Metric.of("reconciles per tenant less rechecks", "reconciles", (reconciles - rechecks) / tenants, "",
        Double.NaN));
    metrics.add(Metric.of("operator heap growth per tenant (after GC)", "bytes", (double) heapGrowth / tenants, "",
        Double.NaN));
    notes.add("The operator runs in the benchmark JVM (-Xmx1g); heap growth is the JVM's used heap after full "
        + "collections, before the operator started and once every tenant was Ready (the stand-in kubelet's "
        + "informer stopped first): informer caches, workflow state and the client, for " + tenants
        + " tenants and their " + (8 * tenants) + " runtime objects.");
    notes.add("Reconciles count both controllers (tenants, with their runtime status loop, and publications) "
        + "and every round an event or a recheck caused, until the last tenant was Ready. Less rechecks: without "
        + "the tenants' workflow runs for their recheck and the publications' timer rounds, which a run's length "
        + "and the recheck interval (paced to one per reconcile thread and second) decide, not the tenants' number.");
    notes.add(triggers);
    notes.add(calls);
    Map<String, String> parameters = new LinkedHashMap<>(o.used());
    return new ScenarioResult(name(), title(), parameters, metrics, counts, notes,
        (System.nanoTime() - started) / 1e9);
  }

  /**
   * The rounds that were rechecks: the tenant workflow's runs for its recheck (the operator's
   * {@code slipstream.operator.workflow.runs}, reason {@code recheck}) and the publications' timer
   * rounds (a publication's only timer is its recheck, or a retry after a failure).
   */
  private static double rechecks(PrometheusMeterRegistry registry) {
    double tenantRechecks = registry.find(TenantReconciler.WORKFLOW_RUNS).tag("reason", "recheck").counters().stream()
        .mapToDouble(Counter::count).sum();
    double publicationTimers = registry.find("slipstream.operator.reconcile.triggers")
        .tag("controller", "realtimepublication").tag("trigger", "timer").counters().stream()
        .mapToDouble(Counter::count).sum();
    return tenantRechecks + publicationTimers;
  }

  /**
   * Where the reconciles came from, per tenant: each controller's completed reconciles (JOSDK's
   * execution timer) and the events that triggered them by kind (the operator's
   * {@code slipstream.operator.reconcile.triggers}; merged events make triggers outnumber reconciles).
   */
  private static String breakdown(PrometheusMeterRegistry registry, int tenants) {
    Map<String, Double> reconciles = new java.util.TreeMap<>();
    registry.find("operator.sdk.controllers.execution.reconcile").timers()
        .forEach(t -> reconciles.merge(t.getId().getTag("controller"), (double) t.count(), Double::sum));
    Map<String, Double> triggers = new java.util.TreeMap<>();
    registry.find("slipstream.operator.reconcile.triggers").counters()
        .forEach(c -> triggers.merge(c.getId().getTag("controller") + " " + c.getId().getTag("trigger"), c.count(),
            Double::sum));
    Map<String, Double> started = new java.util.TreeMap<>();
    registry.find("slipstream.operator.reconciles.started").counters()
        .forEach(c -> started.merge(c.getId().getTag("controller") + ("true".equals(c.getId().getTag("retry"))
            ? " retries" : ""), c.count(), Double::sum));
    Map<String, Double> runs = new java.util.TreeMap<>();
    registry.find(TenantReconciler.WORKFLOW_RUNS).counters()
        .forEach(c -> runs.merge(c.getId().getTag("reason"), c.count(), Double::sum));
    return "Per tenant, reconciles started by controller: " + perTenant(started, tenants)
        + "; the tenant workflow's runs by why: " + perTenant(runs, tenants)
        + "; reconciler calls finished by controller: " + perTenant(reconciles, tenants)
        + " (a started round without a call is JOSDK's finalizer round, or one still queued); what triggered them: "
        + perTenant(triggers, tenants) + ".";
  }

  private static String perTenant(Map<String, Double> counts, int tenants) {
    return counts.entrySet().stream().map(e -> String.format("%s %.2f", e.getKey(), e.getValue() / tenants))
        .collect(java.util.stream.Collectors.joining(", "));
  }

  private static void createNamespace(KubernetesClient client, String ns) {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
  }

  /** Operator tenants are t0000..., baseline tenants b0000...: publication names do not include the namespace. */
  private static String tenantName(char prefix, int i) {
    return String.format("%c%04d", prefix, i);
  }

  /** The Secrets, tenants and publications, created by {@code threads} threads at once. */
  private static void applyTenants(KubernetesClient client, String ns, int tenants, TestPostgres pg, int threads)
      throws Exception {
    parallel(tenants, threads, i -> {
      String name = tenantName('t', i);
      create(client, ns, Secret.class, secretYaml(name, pg));
      create(client, ns, RealtimeTenant.class, tenantYaml(name, pg));
      create(client, ns, RealtimePublication.class, publicationYaml(name));
    });
  }

  /** What the operator would make, made directly: resources, SQL, runtime objects. */
  private static void makeDirectly(KubernetesClient client, String ns, int tenants, TestPostgres pg, int threads)
      throws Exception {
    parallel(tenants, threads, i -> {
      String name = tenantName('b', i);
      create(client, ns, Secret.class, secretYaml(name, pg));
      RealtimeTenant tenant = create(client, ns, RealtimeTenant.class, tenantYaml(name, pg));
      RealtimePublication publication = create(client, ns, RealtimePublication.class, publicationYaml(name));
      String slot = SlotNames.forTenant(tenant);
      String publicationName = PublicationNames.forPublication(publication);
      pg.execute("CREATE PUBLICATION \"" + publicationName + "\" FOR TABLE scale_items",
          "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
      Secret relayKey = client.resource(RelayKeySecret.generate(tenant)).create();
      RuntimeModel model = RuntimeModel.fromTenant(tenant, ResolvedInputs.builder().slotName(slot)
          .publicationNames(List.of(publicationName)).defaultImage(OperatorConfig.DEFAULT_RUNTIME_IMAGE)
          .credentialsChecksum("baseline").relayKeyChecksum(RelayKeySecret.checksum(relayKey)).build());
      for (HasMetadata object : List.of(model.generateConfigMap(), model.generateServiceAccount(), model.generateRole(),
          model.generateRoleBinding(), model.generateDeployment(), model.generateService(),
          model.generateRelayService(), model.generatePodDisruptionBudget())) {
        object.getMetadata().setNamespace(ns);
        client.resource(object).serverSideApply();
      }
    });
  }

  private static <T extends HasMetadata> T create(KubernetesClient client, String ns, Class<T> type, String yaml) {
    T resource = client.resources(type).load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).item();
    resource.getMetadata().setNamespace(ns);
    return client.resource(resource).create();
  }

  private static String secretYaml(String name, TestPostgres pg) {
    return """
        apiVersion: v1
        kind: Secret
        metadata: {name: %s-db}
        stringData: {username: %s, password: %s}
        """.formatted(name, pg.user(), pg.password());
  }

  private static String tenantYaml(String name, TestPostgres pg) {
    return """
        apiVersion: realtime.slipstream.dev/v1alpha1
        kind: RealtimeTenant
        metadata: {name: %s}
        spec:
          database: {host: localhost, port: %d, name: %s, sslMode: disable, credentialsSecretRef: {name: %s-db}}
          replication: {reclaimPolicy: Delete}
        """.formatted(name, pg.port(), pg.database(), name);
  }

  private static String publicationYaml(String name) {
    return """
        apiVersion: realtime.slipstream.dev/v1alpha1
        kind: RealtimePublication
        metadata: {name: %s-items}
        spec:
          tenantRef: {name: %s}
          tables: [{name: scale_items}]
        """.formatted(name, name);
  }

  /**
   * Stands in for the kubelet and the Deployment controller, which kube-api-test does not run:
   * every runtime Deployment that appears is given a status saying its replicas are ready.
   */
  private static SharedIndexInformer<Deployment> standInKubelet(KubernetesClient client, String ns) {
    ExecutorService patches = Executors.newFixedThreadPool(4, r -> Thread.ofPlatform().daemon().unstarted(r));
    SharedIndexInformer<Deployment> informer = client.apps().deployments().inNamespace(ns).runnableInformer(0);
    // Only what markReady reads: a stopped informer's cache stays reachable from its closing watch,
    // and full Deployments (template, managedFields) there were counted as the operator's heap.
    informer.itemStore(new TrimmedItemStore<>(deployment -> {
      Deployment kept = new Deployment();
      kept.setMetadata(new ObjectMetaBuilder().withName(deployment.getMetadata().getName())
          .withNamespace(deployment.getMetadata().getNamespace())
          .withResourceVersion(deployment.getMetadata().getResourceVersion()).build());
      kept.setSpec(new DeploymentSpecBuilder().withReplicas(deployment.getSpec().getReplicas()).build());
      kept.setStatus(deployment.getStatus() == null ? null
          : new DeploymentStatusBuilder().withReadyReplicas(deployment.getStatus().getReadyReplicas()).build());
      return kept;
    }));
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Deployment deployment) {
            markReady(deployment);
          }

          @Override
          public void onUpdate(Deployment old, Deployment deployment) {
            markReady(deployment);
          }

          @Override
          public void onDelete(Deployment deployment, boolean unknownFinalState) {
          }

          private void markReady(Deployment deployment) {
            int replicas = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
            if (deployment.getStatus() != null && Integer.valueOf(replicas).equals(deployment.getStatus().getReadyReplicas())) {
              return;
            }
            patches.execute(() -> client.apps().deployments().inNamespace(ns)
                .resource(new DeploymentBuilder().withNewMetadata().withName(deployment.getMetadata().getName())
                    .withNamespace(ns).endMetadata().withNewStatus().withReplicas(replicas).withReadyReplicas(replicas)
                    .withAvailableReplicas(replicas).withUpdatedReplicas(replicas).endStatus().build())
                .subresource("status")
                .patch(new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager(STAND_IN)
                    .withForce(true).build()));
          }
        });
    informer.run();
    return informer;
  }

  private static long ready(KubernetesClient client, String ns) {
    return client.resources(RealtimeTenant.class).inNamespace(ns).list().getItems().stream()
        .filter(t -> t.getStatus() != null && t.getStatus().getPhase() == TenantPhase.READY).count();
  }

  private static long readyDeployments(KubernetesClient client, String ns) {
    return client.apps().deployments().inNamespace(ns).list().getItems().stream()
        .filter(d -> d.getStatus() != null && d.getStatus().getReadyReplicas() != null
            && d.getStatus().getReadyReplicas() >= 1).count();
  }

  private static long slotCount(TestPostgres pg) throws Exception {
    try (var connection = pg.connect(); var statement = connection.createStatement();
        var rows = statement.executeQuery("SELECT count(*) FROM pg_replication_slots")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static void stop(AtomicReference<SharedIndexInformer<Deployment>> informer) {
    SharedIndexInformer<Deployment> stopping = informer.getAndSet(null);
    if (stopping != null) {
      stopping.stop();
    }
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private interface IndexedTask {
    void run(int index) throws Exception;
  }

  private static void parallel(int count, int threads, IndexedTask task) throws Exception {
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int index = i;
        futures.add(pool.submit(() -> {
          task.run(index);
          return null;
        }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    }
  }
}
