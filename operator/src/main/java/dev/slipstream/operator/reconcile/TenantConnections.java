package dev.slipstream.operator.reconcile;

import dev.slipstream.api.v1alpha1.CaSecretRef;
import dev.slipstream.api.v1alpha1.CredentialsSecretRef;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RealtimeTenantSpec;
import dev.slipstream.operator.model.InvalidTenantException;
import dev.slipstream.operator.postgres.CaCertificates;
import dev.slipstream.operator.postgres.ConnectionSettings;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Turns a tenant's {@code spec.database} and its credentials Secret into {@link ConnectionSettings}.
 * Shared by the tenant and publication reconcilers: both connect as the tenant's role.
 */
public final class TenantConnections {

  private static final String DEFAULT_USERNAME_KEY = "username";
  private static final String DEFAULT_PASSWORD_KEY = "password";

  private TenantConnections() {
  }

  /**
   * Reads the tenant's credentials Secret (a copy younger than the recheck interval will do) and
   * builds the connection settings.
   *
   * @throws MissingInputException SecretNotFound or SecretKeyMissing
   * @throws InvalidTenantException when spec.database is incomplete or invalid (the message names the field)
   */
  public static ConnectionSettings resolve(KubernetesClient client, RealtimeTenant tenant, SecretCache secrets) {
    String namespace = tenant.getMetadata().getNamespace();
    return resolve(tenant, (name, field) -> secrets.read(client, namespace, name, field));
  }

  /** Drops the tenant's Secrets (credentials, CA) from {@code secrets}: the next round reads them again. */
  public static void forget(RealtimeTenant tenant, SecretCache secrets) {
    RealtimeTenantSpec spec = tenant.getSpec();
    if (spec == null || spec.getDatabase() == null) {
      return;
    }
    String namespace = tenant.getMetadata().getNamespace();
    if (spec.getDatabase().getCredentialsSecretRef() != null) {
      secrets.forget(namespace, spec.getDatabase().getCredentialsSecretRef().getName());
    }
    if (spec.getDatabase().getCaSecretRef() != null) {
      secrets.forget(namespace, spec.getDatabase().getCaSecretRef().getName());
    }
  }

  /**
   * The same with the Secret from {@code secrets} (name and the field naming it to the Secret, or a
   * {@link MissingInputException}): a reconcile that reads the Secret again for another purpose
   * reads it once.
   */
  public static ConnectionSettings resolve(RealtimeTenant tenant, BiFunction<String, String, Secret> secrets) {
    RealtimeTenantSpec spec = tenant.getSpec();
    if (spec == null || spec.getDatabase() == null) {
      throw new InvalidTenantException("spec.database is required");
    }
    CredentialsSecretRef ref = spec.getDatabase().getCredentialsSecretRef();
    if (ref == null || ref.getName() == null || ref.getName().isBlank()) {
      throw new InvalidTenantException("spec.database.credentialsSecretRef.name is required");
    }
    String namespace = tenant.getMetadata().getNamespace();
    Secret secret = secrets.apply(ref.getName(), "spec.database.credentialsSecretRef");
    String userKey = orDefault(ref.getUsernameKey(), DEFAULT_USERNAME_KEY);
    String passwordKey = orDefault(ref.getPasswordKey(), DEFAULT_PASSWORD_KEY);
    String user = value(secret, userKey);
    String password = value(secret, passwordKey);
    if (user == null || user.isBlank() || password == null) {
      throw new MissingInputException(MissingInputException.SECRET_KEY_MISSING, "Secret " + namespace + "/"
          + ref.getName() + " has no " + (user == null || user.isBlank() ? "'" + userKey + "'" : "'" + passwordKey + "'")
          + " key");
    }
    String caCertificates = caCertificates(spec.getDatabase().getCaSecretRef(), namespace, secrets);
    try {
      return ConnectionSettings.of(spec.getDatabase(), user, password, caCertificates);
    } catch (IllegalArgumentException e) {
      // The message names the field and what it must be.
      throw new InvalidTenantException(e.getMessage());
    }
  }

  /**
   * The PEM text under {@code spec.database.caSecretRef}, checked to hold certificates; null without
   * the field.
   *
   * @throws MissingInputException SecretNotFound, SecretKeyMissing or CaCertificateInvalid
   */
  private static String caCertificates(CaSecretRef ref, String namespace, BiFunction<String, String, Secret> secrets) {
    if (ref == null) {
      return null;
    }
    if (ref.getName() == null || ref.getName().isBlank()) {
      throw new InvalidTenantException("spec.database.caSecretRef.name is required");
    }
    Secret secret = secrets.apply(ref.getName(), "spec.database.caSecretRef");
    String key = ref.keyOrDefault();
    String pem = value(secret, key);
    String where = "Secret " + namespace + "/" + ref.getName() + " (spec.database.caSecretRef)";
    if (pem == null) {
      throw new MissingInputException(MissingInputException.SECRET_KEY_MISSING, where + " has no '" + key + "' key");
    }
    try {
      CaCertificates.parse(pem);
    } catch (IllegalArgumentException e) {
      throw new MissingInputException(MissingInputException.CA_CERTIFICATE_INVALID, "key '" + key + "' of " + where
          + " " + e.getMessage() + "; put the PEM certificate of the CA that signed the database server's certificate "
          + "there");
    }
    return pem;
  }

  private static String value(Secret secret, String key) {
    Map<String, String> stringData = secret.getStringData();
    if (stringData != null && stringData.containsKey(key)) {
      return stringData.get(key);
    }
    Map<String, String> data = secret.getData();
    if (data != null && data.get(key) != null) {
      return new String(Base64.getMimeDecoder().decode(data.get(key)), StandardCharsets.UTF_8);
    }
    return null;
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }
}
