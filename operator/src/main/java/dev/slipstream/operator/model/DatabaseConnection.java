package dev.slipstream.operator.model;

import dev.slipstream.api.v1alpha1.CaSecretRef;
import dev.slipstream.api.v1alpha1.CredentialsSecretRef;
import dev.slipstream.api.v1alpha1.DatabaseSpec;
import dev.slipstream.api.v1alpha1.SslMode;

/**
 * Where the runtime connects, with the CRD's defaults applied: a tenant read back from the API
 * server has them already, one built in code or by an older client may not.
 *
 * @param sslMode libpq's spelling, as the runtime's {@code SLIPSTREAM_DB_SSLMODE} expects
 * @param caSecret the Secret of {@code spec.database.caSecretRef}, or null without one
 * @param caKey its key, defaulted ({@code ca.crt}); null without a CA Secret
 */
record DatabaseConnection(
    String host,
    int port,
    String name,
    String sslMode,
    String credentialsSecret,
    String usernameKey,
    String passwordKey,
    String caSecret,
    String caKey) {

  static final int DEFAULT_PORT = 5432;
  static final String DEFAULT_USERNAME_KEY = "username";
  static final String DEFAULT_PASSWORD_KEY = "password";

  static DatabaseConnection from(DatabaseSpec spec) {
    if (spec == null) {
      throw new InvalidTenantException("spec.database is required");
    }
    String host = required(spec.getHost(), "spec.database.host");
    String name = required(spec.getName(), "spec.database.name");
    int port = spec.getPort() == null ? DEFAULT_PORT : spec.getPort();
    if (port < 1 || port > 65535) {
      throw new InvalidTenantException("spec.database.port must be between 1 and 65535, was " + port);
    }
    SslMode sslMode = spec.getSslMode() == null ? SslMode.PREFER : spec.getSslMode();
    CredentialsSecretRef credentials = spec.getCredentialsSecretRef();
    if (credentials == null) {
      throw new InvalidTenantException("spec.database.credentialsSecretRef is required");
    }
    CaSecretRef ca = spec.getCaSecretRef();
    if (ca != null && sslMode != SslMode.VERIFY_FULL) {
      throw new InvalidTenantException("spec.database.caSecretRef needs spec.database.sslMode verify-full, not "
          + sslMode.libpqValue() + ": only verify-full checks the server's certificate against a CA");
    }
    return new DatabaseConnection(host, port, name, sslMode.libpqValue(),
        required(credentials.getName(), "spec.database.credentialsSecretRef.name"),
        orDefault(credentials.getUsernameKey(), DEFAULT_USERNAME_KEY),
        orDefault(credentials.getPasswordKey(), DEFAULT_PASSWORD_KEY),
        ca == null ? null : required(ca.getName(), "spec.database.caSecretRef.name"),
        ca == null ? null : ca.keyOrDefault());
  }

  boolean hasCa() {
    return caSecret != null;
  }

  private static String required(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new InvalidTenantException(field + " is required");
    }
    return value;
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }
}
