package dev.slipstream.operator.reconcile;

import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * What the two resource kinds point at, read from the API server: a Secret a tenant names, the
 * tenant a publication names (the publications that name a tenant come from informer caches:
 * {@code TenantPublications}, {@code PublicationClaims}). Something named but missing is a
 * {@link MissingInputException} naming the field that refers to it.
 */
public final class TenantReferences {

  private TenantReferences() {
  }

  /** The Secret, or a {@link MissingInputException} (SecretNotFound) naming {@code field}. */
  public static Secret secret(KubernetesClient client, String namespace, String name, String field) {
    Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
    if (secret == null) {
      throw new MissingInputException(MissingInputException.SECRET_NOT_FOUND, "Secret " + namespace + "/"
          + name + " (" + field + ") does not exist");
    }
    return secret;
  }

  /** The tenant {@code spec.tenantRef} names, or a {@link MissingInputException} (TenantNotFound). */
  public static RealtimeTenant tenantOf(KubernetesClient client, RealtimePublication publication) {
    String namespace = publication.getMetadata().getNamespace();
    String tenantName = publication.getSpec().getTenantRef().getName();
    RealtimeTenant tenant = client.resources(RealtimeTenant.class).inNamespace(namespace).withName(tenantName).get();
    if (tenant == null) {
      throw new MissingInputException(MissingInputException.TENANT_NOT_FOUND,
          "RealtimeTenant " + namespace + "/" + tenantName + " (spec.tenantRef) does not exist");
    }
    return tenant;
  }
}
