package dev.slipstream.operator.tenant.conditions;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.postgres.ConnectionSettings;
import dev.slipstream.operator.tenant.dependent.Resolved;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.DetailedCondition;

/**
 * Ready postcondition of the credentials step: the Secret exists and holds both keys, so the
 * database can be checked. Otherwise DatabaseReady=False with the reason (SecretNotFound,
 * SecretKeyMissing, InvalidSpec), and nothing after this step runs.
 *
 * <p>Detail: what was resolved, or why not.
 */
public class CredentialsFound
    implements DetailedCondition<Resolved<ConnectionSettings>, RealtimeTenant, Resolved<ConnectionSettings>> {

  @Override
  public Result<Resolved<ConnectionSettings>> detailedIsMet(
      DependentResource<Resolved<ConnectionSettings>, RealtimeTenant> credentials, RealtimeTenant tenant,
      Context<RealtimeTenant> context) {
    Resolved<ConnectionSettings> found = credentials.getSecondaryResource(tenant, context).orElseThrow();
    return Result.withResult(found.found(), found);
  }
}
