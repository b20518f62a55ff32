package dev.slipstream.operator;

import dev.slipstream.operator.config.OperatorConfig;
import dev.slipstream.operator.postgres.IdleSessions;
import dev.slipstream.operator.reconcile.RecheckPace;
import dev.slipstream.operator.reconcile.SecretCache;
import dev.slipstream.operator.reconcile.TrimmedItemStore;
import dev.slipstream.operator.publication.PublicationReconciler;
import dev.slipstream.operator.tenant.TenantReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.monitoring.AggregatedMetrics;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the operator: the tenant and publication reconcilers on one Fabric8 client built from the
 * default configuration (in cluster: the service account; outside: {@code ~/.kube/config} or
 * {@code KUBECONFIG}), configured from the environment (see {@link OperatorConfig}).
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  /** Management port for probes and metrics ({@code SLIPSTREAM_MANAGEMENT_PORT}, default 8080). */
  static final int DEFAULT_MANAGEMENT_PORT = 8080;
  /** The Lease that makes one operator replica the active one. */
  static final String LEADER_LEASE = "slipstream-operator-leader";

  public static void main(String[] args) {
    OperatorConfig config;
    try {
      config = OperatorConfig.fromEnv();
    } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
      System.err.println("slipstream-operator: " + e.getMessage());
      System.exit(2);
      return;
    }
    KubernetesClient client = new KubernetesClientBuilder().build();
    LOG.info("Slipstream operator {} starting: Kubernetes API {}", version(), client.getMasterUrl());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    // The Lease lives in the operator's own namespace (in cluster: the service account's).
    String leaseNamespace = System.getenv().getOrDefault("POD_NAMESPACE", client.getNamespace());
    Operator operator = start(client, config, registry, leaderElection(leaseNamespace));
    int port = Integer.parseInt(System.getenv().getOrDefault("SLIPSTREAM_MANAGEMENT_PORT",
        String.valueOf(DEFAULT_MANAGEMENT_PORT)));
    ManagementServer management = new ManagementServer(port, operator, registry);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // Graceful: in-flight reconciles finish, the Lease is released, then probes stop answering.
      stop(operator);
      management.close();
    }, "slipstream-operator-shutdown"));
    LOG.info("Slipstream operator started: namespaces {}, default runtime image {}, management port {}",
        config.watchesAllNamespaces() ? "all" : config.watchedNamespaces(), config.defaultRuntimeImage(), port);
  }

  /** The version in the jar's manifest ({@code Implementation-Version}), or "(development)" from classes. */
  static String version() {
    String version = Main.class.getPackage().getImplementationVersion();
    return version != null ? version : "(development)";
  }

  private static volatile boolean shuttingDown;

  /** Stops the operator on purpose: giving up the Lease now is not a lost leadership. */
  public static void stop(Operator operator) {
    shuttingDown = true;
    operator.stop();
  }

  /**
   * Leader election on {@link #LEADER_LEASE}. A replica that loses the Lease while running exits,
   * so that Kubernetes restarts it as a standby; JOSDK's own exit-on-stop would also fire while a
   * shutdown hook releases the Lease, and {@code System.exit} inside a shutdown hook never returns.
   */
  public static LeaderElectionConfiguration leaderElection(String namespace) {
    LeaderCallbacks callbacks = new LeaderCallbacks(() -> { }, () -> {
      if (!shuttingDown) {
        LOG.error("Lost the leader Lease {}; exiting so that a standby takes over", LEADER_LEASE);
        Thread.ofPlatform().start(() -> System.exit(1));
      }
    }, leader -> LOG.info("Leader is now {}", leader));
    return new LeaderElectionConfiguration(LEADER_LEASE, namespace, LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE, LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
        System.getenv("POD_NAME"), callbacks, false);
  }

  /** Registers the reconcilers and starts the operator (without leader election); the caller stops it. */
  public static Operator start(KubernetesClient client, OperatorConfig config) {
    return start(client, config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), null);
  }

  /**
   * Registers the reconcilers (tenant, with its runtime's status loop, and publication), with
   * JOSDK's reconcile metrics and what triggered each reconcile ({@link ReconcileTriggers}) in
   * {@code registry} and, when
   * {@code leaderElection} is given, only the replica holding the Lease reconciling.
   */
  public static Operator start(KubernetesClient client, OperatorConfig config, MeterRegistry registry,
      LeaderElectionConfiguration leaderElection) {
    Operator operator = new Operator(overrider -> {
      overrider
          .withKubernetesClient(client)
          .withConcurrentReconciliationThreads(config.reconcileThreads())
          .withMetrics(metrics(registry))
          .withCloseClientOnStop(true);
      if (leaderElection != null) {
        overrider.withLeaderElectionConfiguration(leaderElection);
      }
    });
    // The tenant's and its publications' reconciles connect as the same role: one session serves both.
    IdleSessions sessions = IdleSessions.forReconcileThreads(config.reconcileThreads());
    // And read the same credentials Secret: one copy per (paced) recheck interval serves both.
    RecheckPace pace = new RecheckPace(config.recheckInterval(), config.reconcileThreads());
    SecretCache secrets = new SecretCache(pace::interval);
    register(operator, new TenantReconciler(config, registry, sessions, secrets, pace), config,
        TrimmedItemStore::withoutManagedFields);
    register(operator, new PublicationReconciler(config, sessions, secrets), config,
        TrimmedItemStore::withoutManagedFields);
    operator.start();
    return operator;
  }

  /**
   * JOSDK's reconcile metrics and the reconcile triggers. Tests run their operator with these too:
   * JOSDK's Micrometer metrics wrap what a reconcile throws, and conditions must read the same there.
   */
  public static Metrics metrics(MeterRegistry registry) {
    return new AggregatedMetrics(List.of(MicrometerMetrics.withoutPerResourceMetrics(registry), new ReconcileTriggers(registry)));
  }

  /**
   * Registers the reconciler on the watched namespaces. With one informer for its resources (all
   * namespaces, or one), their cache is {@code store}'s, which drops at least {@code managedFields}:
   * no reconciler reads the primary's server-side apply bookkeeping, and it is a large part of each
   * cached tenant and publication ({@link TrimmedItemStore} says why only with one informer).
   */
  private static <P extends HasMetadata> void register(Operator operator, Reconciler<P> reconciler, OperatorConfig config,
      Supplier<TrimmedItemStore<P>> store) {
    Consumer<ControllerConfigurationOverrider<P>> namespaces = config.watchesAllNamespaces()
        ? overrider -> overrider.watchingAllNamespaces()
        : overrider -> overrider.settingNamespaces(config.watchedNamespaces());
    boolean oneInformer = config.watchesAllNamespaces() || config.watchedNamespaces().size() == 1;
    operator.register(reconciler, overrider -> {
      namespaces.accept(overrider);
      if (oneInformer) {
        overrider.withItemStore(store.get());
      }
    });
  }
}
