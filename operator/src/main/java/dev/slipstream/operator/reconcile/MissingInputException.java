package dev.slipstream.operator.reconcile;

import java.util.Objects;

/**
 * Something a reconcile needs from the API server is not there (a tenant, a Secret, a key in it).
 * Only someone creating it can fix that, so the reconcilers report it as a condition and check
 * again later instead of retrying with backoff like a failure.
 */
public class MissingInputException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The tenant named by {@code spec.tenantRef} does not exist in the publication's namespace. */
  public static final String TENANT_NOT_FOUND = "TenantNotFound";
  /** The credentials Secret named by {@code spec.database.credentialsSecretRef} does not exist. */
  public static final String SECRET_NOT_FOUND = "SecretNotFound";
  /** The credentials Secret lacks the user name or password key, or the CA Secret its key. */
  public static final String SECRET_KEY_MISSING = "SecretKeyMissing";
  /** The key {@code spec.database.caSecretRef} names holds no PEM certificate, or one that does not parse. */
  public static final String CA_CERTIFICATE_INVALID = "CaCertificateInvalid";

  private final String reason;

  public MissingInputException(String reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** One of the constants above, meant as a condition's reason. */
  public String reason() {
    return reason;
  }
}
