package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.api.v1alpha1.Reasons;
import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.model.InvalidTenantException;
import dev.slipstream.operator.postgres.ConnectionSettings;
import dev.slipstream.operator.postgres.IdleSessions;
import dev.slipstream.operator.postgres.TenantDatabase;
import dev.slipstream.operator.reconcile.MissingInputException;
import dev.slipstream.operator.reconcile.TenantConnections;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Workflow;
import io.javaoperatorsdk.operator.processing.dependent.workflow.WorkflowReconcileResult;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import dev.slipstream.operator.reconcile.SecretCache;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one reconcile (or cleanup) of a tenant shares between the steps of its workflow. The
 * reconciler opens it before running the workflow and closes it after; the steps find it in the
 * JOSDK context. It holds what the steps cannot get from the tenant: the operator's settings and the
 * slots this process created ({@link Shared}), the tenant's publications (listed once by the
 * reconciler, which reports them too); and what they share: the credentials, read once, and one
 * connection to the tenant's database, opened by the database step (or taken from the sessions an
 * earlier reconcile left, {@link IdleSessions}) and reused by the slot step, so a reconcile costs the
 * database at most one session.
 */
public final class TenantScope implements AutoCloseable {

  /**
   * What outlives a reconcile: the default runtime image, the slots this process created, the specs
   * of the Deployments it applied, and the sessions to tenant databases that wait for their next reconcile.
   */
  public record Shared(String defaultImage, SlotHistory slots, AppliedTemplates templates, IdleSessions sessions,
      SecretCache secrets) {
  }

  private static final String KEY = TenantScope.class.getName();

  private final Context<RealtimeTenant> context;
  private final Shared shared;
  private final List<RealtimePublication> publications;
  private Resolved<ConnectionSettings> credentials;
  private TenantDatabase database;
  private final Map<String, Secret> secrets = new HashMap<>();

  private TenantScope(Context<RealtimeTenant> context, Shared shared, List<RealtimePublication> publications) {
    this.context = context;
    this.shared = shared;
    this.publications = List.copyOf(publications);
  }

  /** Opens the scope for the tenant {@code context} is about; close it when the workflow is done. */
  public static TenantScope open(Context<RealtimeTenant> context, Shared shared, List<RealtimePublication> publications) {
    TenantScope scope = new TenantScope(context, shared, publications);
    context.managedWorkflowAndDependentResourceContext().put(KEY, scope);
    return scope;
  }

  /** Runs the tenant's workflow in this scope; a step's failure is thrown, aggregated. */
  public WorkflowReconcileResult reconcile(Workflow<RealtimeTenant> workflow) {
    return workflow.reconcile(context.getPrimaryResource(), context);
  }

  /** Runs the workflow's cleanup (its deleting steps) in this scope; a step's failure is thrown, aggregated. */
  public void cleanup(Workflow<RealtimeTenant> workflow) {
    workflow.cleanup(context.getPrimaryResource(), context);
  }

  static TenantScope of(Context<RealtimeTenant> context) {
    return context.managedWorkflowAndDependentResourceContext().getMandatory(KEY, TenantScope.class);
  }

  RealtimeTenant tenant() {
    return context.getPrimaryResource();
  }

  KubernetesClient client() {
    return context.getClient();
  }

    Shared shared() {
    return shared;
  }

  /** Whether the informer's cache holds the tenant's runtime Deployment (a new tenant's first rounds: not yet). */
  boolean hasRuntimeDeployment() {
    return context.getSecondaryResource(Deployment.class).isPresent();
  }

  List<RealtimePublication> publications() {
    return publications;
  }

  /**
   * A Secret of the tenant's namespace, one copy for the whole round (the credentials step and the
   * model step both read the credentials Secret), from {@link SecretCache} (read from the API server
   * at most once per recheck interval); or a {@link MissingInputException} naming {@code field}.
   */
  synchronized Secret secret(String name, String field) {
    Secret secret = secrets.get(name);
    if (secret == null) {
      secret = shared.secrets().read(context.getClient(), tenant().getMetadata().getNamespace(), name, field);
      secrets.put(name, secret);
    }
    return secret;
  }

  /**
   * Drops the copies of every Secret this round read from {@link SecretCache}: the round could not
   * use them (the database refused them, or the round failed), and the next reads them again.
   */
  public synchronized void forgetSecrets() {
    secrets.keySet().forEach(name -> shared.secrets().forget(tenant().getMetadata().getNamespace(), name));
  }

  /** The credentials Secret as connection settings, read once; or why it cannot be. */
  synchronized Resolved<ConnectionSettings> credentials() {
    if (credentials == null) {
      try {
        credentials = Resolved.of(TenantConnections.resolve(tenant(), this::secret));
      } catch (MissingInputException e) {
        credentials = Resolved.missing(e.reason(), e.getMessage());
      } catch (InvalidTenantException e) {
        credentials = Resolved.missing(Reasons.INVALID_SPEC, e.getMessage());
      }
    }
    return credentials;
  }

  /**
   * The session to the tenant's database, opened on first use. On cleanup no step has read the
   * credentials before: their failures are thrown here, as is the database's.
   *
   * @throws dev.slipstream.operator.postgres.DatabaseException unreachable, authentication, ...
   * @throws MissingInputException when cleaning up without the credentials Secret
   * @throws InvalidTenantException when cleaning up a tenant whose spec.database is incomplete
   */
  synchronized TenantDatabase database() {
    if (database == null) {
      ConnectionSettings settings = credentials != null && credentials.found() ? credentials.value()
          : TenantConnections.resolve(tenant(), this::secret);
      database = TenantDatabase.open(settings, shared.sessions());
    }
    return database;
  }

  @Override
  public synchronized void close() {
    context.managedWorkflowAndDependentResourceContext().put(KEY, null);
    if (database != null) {
      database.close();
      database = null;
    }
  }
}
