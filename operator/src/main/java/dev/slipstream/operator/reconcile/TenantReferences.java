package dev.slipstream.operator.reconcile;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * What a tenant points at, read from the API server: a Secret it names (the tenant a publication
 * names, and the publications that name a tenant, come from informer caches:
 * {@code PublicationTenants}, {@code TenantPublications}, {@code PublicationClaims}). Something named
 * but missing is a {@link MissingInputException} naming the field that refers to it.
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
}
