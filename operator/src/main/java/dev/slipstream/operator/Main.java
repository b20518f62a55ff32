package dev.slipstream.operator;

import dev.slipstream.operator.config.OperatorConfig;
import dev.slipstream.operator.publication.PublicationReconciler;
import dev.slipstream.operator.tenant.TenantReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.function.Consumer;
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

  public static void main(String[] args) {
    OperatorConfig config = OperatorConfig.fromEnv();
    KubernetesClient client = new KubernetesClientBuilder().build();
    Operator operator = start(client, config);
    Runtime.getRuntime().addShutdownHook(new Thread(operator::stop, "slipstream-operator-shutdown"));
    LOG.info("Slipstream operator started: namespaces {}, default runtime image {}",
        config.watchesAllNamespaces() ? "all" : config.watchedNamespaces(), config.defaultRuntimeImage());
  }

  /** Registers both reconcilers and starts the operator; the caller stops it. */
  public static Operator start(KubernetesClient client, OperatorConfig config) {
    Operator operator = new Operator(overrider -> overrider
        .withKubernetesClient(client)
        .withConcurrentReconciliationThreads(config.reconcileThreads())
        .withCloseClientOnStop(true));
    register(operator, new TenantReconciler(config), config);
    register(operator, new PublicationReconciler(config), config);
    operator.start();
    return operator;
  }

  private static <P extends HasMetadata> void register(Operator operator, Reconciler<P> reconciler, OperatorConfig config) {
    Consumer<ControllerConfigurationOverrider<P>> namespaces = config.watchesAllNamespaces()
        ? overrider -> overrider.watchingAllNamespaces()
        : overrider -> overrider.settingNamespaces(config.watchedNamespaces());
    operator.register(reconciler, namespaces::accept);
  }
}
