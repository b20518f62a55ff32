package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.postgres.ConnectionSettings;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * The tenant's credentials Secret ({@code spec.database.credentialsSecretRef}) as the settings to
 * connect with; or why there are none (SecretNotFound, SecretKeyMissing, InvalidSpec). Read-only: the
 * operator never writes a Secret the tenant names (it makes one of its own, the relay key's). Read
 * from the API server at each reconcile, not watched: a Secret created later is seen at the next
 * recheck.
 */
public class CredentialsDependent extends ObservedDependent<Resolved<ConnectionSettings>> {

  public static final String NAME = "credentials";

  @SuppressWarnings({"unchecked", "rawtypes"})
  public CredentialsDependent() {
    super((Class) Resolved.class);
  }

  @Override
  protected Resolved<ConnectionSettings> observe(RealtimeTenant tenant, Context<RealtimeTenant> context) {
    return TenantScope.of(context).credentials();
  }
}
