package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.model.RelayKeySecret;
import dev.slipstream.operator.model.RuntimeNames;
import dev.slipstream.operator.reconcile.MissingInputException;
import dev.slipstream.operator.reconcile.SecretCache;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.Optional;

/**
 * Finds the tenant's relay key Secret ({@link RelayKeySecret}), or makes it: read by name, created
 * when absent (a 409 means another reconcile created it meanwhile: read that one); for a tenant
 * without a runtime Deployment, created first and read only on a 409. Never updated, so
 * the key a tenant's pods hold stays the same for the tenant's life unless someone deletes the Secret.
 * A Secret of that name someone else made is used as it is when its key is usable, and a finding
 * otherwise; the operator does not overwrite it. Secrets are not watched, and the copy read or made
 * is kept for a recheck interval ({@link SecretCache}, paced: {@code RecheckPace}): a deleted one is
 * made again within about two of them.
 */
final class RelayKeys {

  private RelayKeys() {
  }

  /**
   * @param likelyAbsent whether the tenant has no runtime Deployment yet, and so most likely no
   *     relay key: it is then created at once (one request, where a read first would make it two), and
   *     read only when the API server answers that it exists
   * @throws MissingInputException (SecretKeyMissing) when a Secret of that name holds no usable key
   * @throws KubernetesClientException when the API server refuses (no {@code create} on Secrets, ...)
   */
  static Secret ensure(KubernetesClient client, RealtimeTenant tenant, SecretCache cache, boolean likelyAbsent) {
    String namespace = tenant.getMetadata().getNamespace();
    String name = new RuntimeNames(tenant.getMetadata().getName()).relayKeySecret();
    Secret secret = cache.cached(namespace, name);
    if (secret == null) {
      secret = readOrCreate(client, tenant, namespace, name, likelyAbsent);
      cache.keep(secret);
    }
    Optional<String> problem = RelayKeySecret.problem(secret);
    if (problem.isPresent()) {
      cache.forget(namespace, name);
      throw new MissingInputException(MissingInputException.SECRET_KEY_MISSING, "Secret " + namespace + "/" + name
          + " (the runtime's relay key, which the operator makes) " + problem.get() + ": delete it, and the operator"
          + " makes it again with a new key");
    }
    return secret;
  }

  private static Secret readOrCreate(KubernetesClient client, RealtimeTenant tenant, String namespace, String name,
      boolean createFirst) {
    var secrets = client.secrets().inNamespace(namespace);
    if (!createFirst) {
      Secret existing = secrets.withName(name).get();
      if (existing != null) {
        return existing;
      }
    }
    try {
      return secrets.resource(RelayKeySecret.generate(tenant)).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
    }
    // 409: made before this round (an earlier round whose Deployment is not yet in the cache, someone
    // else, another reconcile meanwhile): use that one.
    Secret existing = secrets.withName(name).get();
    if (existing == null) {
      throw new KubernetesClientException("the Secret " + namespace + "/" + name + " existed a moment ago and"
          + " is gone again; retrying");
    }
    return existing;
  }
}
