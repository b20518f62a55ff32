package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.api.v1alpha1.AuthSpec;
import dev.slipstream.api.v1alpha1.Reasons;
import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RuntimeTlsSpec;
import dev.slipstream.api.v1alpha1.SecretKeyRef;
import dev.slipstream.api.v1alpha1.TlsSecretRef;
import dev.slipstream.operator.model.InvalidTenantException;
import dev.slipstream.operator.model.PublicationNames;
import dev.slipstream.operator.model.RelayKeySecret;
import dev.slipstream.operator.model.ResolvedInputs;
import dev.slipstream.operator.model.RuntimeModel;
import dev.slipstream.operator.model.SecretChecksum;
import dev.slipstream.operator.model.SlotNames;
import dev.slipstream.operator.reconcile.MissingInputException;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.List;

/**
 * The runtime's desired state ({@link RuntimeModel}), rendered once per reconcile from the tenant, its
 * Secrets (their checksum rolls the pods when one rotates), its publications and the operator's
 * default image; every Kubernetes dependent after this step returns one object of it
 * ({@link RuntimeModels#of}). A Secret that is missing (the JWT Secret) or a spec that cannot be
 * rendered is a finding (RuntimeReady=False with its reason), not a failure. The model is not stored
 * anywhere; the one thing this step writes is the tenant's relay key Secret, made once
 * ({@link RelayKeys}), because the pods' checksum covers its key.
 */
public class RuntimeModelDependent extends ObservedDependent<Resolved<RuntimeModel>> {

  public static final String NAME = "runtime-model";

  @SuppressWarnings({"unchecked", "rawtypes"})
  public RuntimeModelDependent() {
    super((Class) Resolved.class);
  }

  @Override
  protected Resolved<RuntimeModel> observe(RealtimeTenant tenant, Context<RealtimeTenant> context) {
    try {
      return Resolved.of(RuntimeModel.fromTenant(tenant, inputs(tenant, TenantScope.of(context))));
    } catch (InvalidTenantException e) {
      return Resolved.missing(Reasons.INVALID_SPEC, e.getMessage());
    } catch (MissingInputException e) {
      return Resolved.missing(e.reason(), e.getMessage());
    }
  }

  private static ResolvedInputs inputs(RealtimeTenant tenant, TenantScope scope) {
    var credentialsRef = tenant.getSpec().getDatabase().getCredentialsSecretRef();
    Secret credentials = scope.secret(credentialsRef.getName(), "spec.database.credentialsSecretRef");
    List<RealtimePublication> tenantPublications = scope.publications();
    List<String> publications = tenantPublications.stream().map(PublicationNames::forPublication).distinct().toList();
    List<String> accessRules = tenantPublications.stream()
        .filter(p -> p.getSpec().getAccess() != null)
        .flatMap(p -> p.getSpec().getAccess().stream())
        .map(rule -> rule.getTable() + ":" + rule.getColumn() + "=" + rule.getClaim())
        .toList();
    ResolvedInputs.Builder inputs = ResolvedInputs.builder()
        .slotName(SlotNames.forTenant(tenant))
        .publicationNames(publications)
        .accessRules(accessRules)
        .defaultImage(scope.shared().defaultImage())
        .credentialsChecksum(SecretChecksum.ofCredentials(credentials, credentialsRef))
        .relayKeyChecksum(RelayKeySecret.checksum(RelayKeys.ensure(scope.client(), tenant, scope.shared().secrets(),
            !scope.hasRuntimeDeployment())));
    AuthSpec auth = tenant.getSpec().getAuth();
    SecretKeyRef jwt = auth == null ? null : auth.getJwtSecretRef();
    if (jwt != null && jwt.getName() != null) {
      inputs.jwtSecret(jwt, checksumOf(jwt, scope, "spec.auth.jwtSecretRef"));
    }
    SecretKeyRef previousJwt = auth == null ? null : auth.getPreviousJwtSecretRef();
    if (previousJwt != null && previousJwt.getName() != null) {
      inputs.previousJwtSecret(previousJwt, checksumOf(previousJwt, scope, "spec.auth.previousJwtSecretRef"));
    }
    requireTlsSecret(tenant, scope);
    return inputs.build();
  }

  /** The checksum of one key of a Secret the tenant names in {@code field}; the key defaults as the CRD's does. */
  private static String checksumOf(SecretKeyRef ref, TenantScope scope, String field) {
    String key = ref.getKey() == null || ref.getKey().isBlank() ? "secret" : ref.getKey();
    return SecretChecksum.of(scope.secret(ref.getName(), field), key);
  }

  /**
   * The client port's Secret ({@code spec.runtime.tls.secretRef}) with both of its keys: without
   * them the runtime's pods would wait in ContainerCreating (or fail to start) with nothing on the
   * tenant saying why. Its contents are not hashed into the pods: the runtime reloads them itself.
   */
  private static void requireTlsSecret(RealtimeTenant tenant, TenantScope scope) {
    RuntimeTlsSpec tls = tenant.getSpec().getRuntime() == null ? null : tenant.getSpec().getRuntime().getTls();
    if (tls == null || tls.getSecretRef() == null || tls.getSecretRef().getName() == null) {
      return; // RuntimeModel names a missing name
    }
    String name = tls.getSecretRef().getName();
    Secret secret = scope.secret(name, "spec.runtime.tls.secretRef");
    for (String key : List.of(TlsSecretRef.CERTIFICATE_KEY, TlsSecretRef.PRIVATE_KEY_KEY)) {
      boolean present = secret.getData() != null && secret.getData().get(key) != null
          || secret.getStringData() != null && secret.getStringData().get(key) != null;
      if (!present) {
        throw new MissingInputException(MissingInputException.SECRET_KEY_MISSING, "Secret "
            + tenant.getMetadata().getNamespace() + "/" + name + " (spec.runtime.tls.secretRef) has no '" + key
            + "' key: a kubernetes.io/tls Secret holds the certificate in tls.crt and its key in tls.key");
      }
    }
  }
}
