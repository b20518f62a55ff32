package dev.slipstream.operator.postgres;

import java.security.GeneralSecurityException;
import java.util.Properties;
import org.postgresql.ssl.WrappedFactory;

/**
 * pgjdbc's {@code sslfactory} for {@code sslmode=verify-full} with the tenant's CA: trusts the PEM
 * certificates passed in the connection properties under {@link #CA_PROPERTY}, and nothing else.
 * The CA reaches the driver in memory, so the operator writes no file. pgjdbc checks the host name
 * against the certificate after the handshake itself, for any factory, when the mode is verify-full.
 *
 * <p>pgjdbc instantiates this class by name with the connection's properties.
 */
public final class CaTrustSslFactory extends WrappedFactory {

  /** The connection property holding the PEM text; pgjdbc passes unknown properties through untouched. */
  static final String CA_PROPERTY = "slipstream.caCertificates";

  public CaTrustSslFactory(Properties info) throws GeneralSecurityException {
    String pem = info.getProperty(CA_PROPERTY);
    if (pem == null) {
      throw new GeneralSecurityException(CA_PROPERTY + " is not set");
    }
    factory = CaCertificates.trusting(pem).getSocketFactory();
  }
}
