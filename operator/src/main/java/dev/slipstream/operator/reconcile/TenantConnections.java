package dev.slipstream.operator.reconcile;

import dev.slipstream.api.v1alpha1.CredentialsSecretRef;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RealtimeTenantSpec;
import dev.slipstream.operator.model.InvalidTenantException;
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
   * Reads the tenant's credentials Secret and builds the connection settings.
   *
   * @throws MissingInputException SecretNotFound or SecretKeyMissing
   * @throws InvalidTenantException when spec.database is incomplete or invalid (the message names the field)
   */
  public static ConnectionSettings resolve(KubernetesClient client, RealtimeTenant tenant) {
    String namespace = tenant.getMetadata().getNamespace();
    return resolve(tenant, (name, field) -> TenantReferences.secret(client, namespace, name, field));
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
    try {
      return ConnectionSettings.of(spec.getDatabase(), user, password);
    } catch (IllegalArgumentException e) {
      // The message names the field and what it must be.
      throw new InvalidTenantException(e.getMessage());
    }
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
