package dev.slipstream.operator.postgres;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.sql.SQLException;
import javax.net.ssl.SSLException;

/**
 * Connection failures of TLS, told apart so that each gets a reason that says which field to
 * change. pgjdbc reports them all as a connection failure (SQLSTATE 08xxx) whose text names its own
 * classes; these messages are the operator's, with the JDK's innermost words in parentheses.
 */
final class TlsFailures {

  private TlsFailures() {
  }

  /** The failure as a TLS reason, or null when TLS was not what failed. */
  static DatabaseException classify(SQLException e, ConnectionSettings settings) {
    String server = "PostgreSQL at " + settings.endpoint();
    String message = String.valueOf(e.getMessage());
    // pgjdbc's own checks, after the handshake or instead of it; their texts are its translations'
    // keys, stable across versions.
    if (message.contains("could not be verified by hostnameverifier")) {
      return SqlFailures.failure(PostgresReasons.SERVER_CERTIFICATE_HOST_MISMATCH, "the certificate of " + server
          + " is not issued for host " + settings.host() + " (spec.database.host): none of its subject alternative "
          + "names matches it", e, settings);
    }
    if (message.contains("does not support SSL")) {
      return SqlFailures.failure(PostgresReasons.SERVER_WITHOUT_TLS, server + " does not accept TLS connections, and "
          + "spec.database.sslMode " + settings.sslMode() + " needs TLS", e, settings);
    }
    SSLException handshake = null;
    boolean certificate = false;
    Throwable innermost = e;
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SSLException ssl && handshake == null) {
        handshake = ssl;
      }
      // sun.security.validator.ValidatorException is a CertificateException; CertPathBuilderException
      // and CertPathValidatorException are GeneralSecurityExceptions.
      if (handshake != null && (cause instanceof CertificateException || cause instanceof GeneralSecurityException)) {
        certificate = true;
      }
      innermost = cause;
    }
    if (handshake == null) {
      return null;
    }
    String detail = innermost.getMessage() == null ? "" : " (" + innermost.getMessage() + ")";
    if (certificate) {
      String against = settings.hasOwnCa() ? "the CA in spec.database.caSecretRef" : "the CAs the JVM trusts (the "
          + "tenant sets no spec.database.caSecretRef)";
      return SqlFailures.failure(PostgresReasons.SERVER_CERTIFICATE_NOT_TRUSTED, "the certificate of " + server
          + " does not verify against " + against + detail, e, settings);
    }
    return SqlFailures.failure(PostgresReasons.DATABASE_ERROR, "the TLS handshake with " + server + " failed" + detail,
        e, settings);
  }
}
