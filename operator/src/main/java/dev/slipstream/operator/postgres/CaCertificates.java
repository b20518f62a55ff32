package dev.slipstream.operator.postgres;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The CA certificates of {@code spec.database.caSecretRef}, parsed from PEM, as the trust a TLS
 * connection to the tenant's database checks the server's certificate against. A bundle (several
 * {@code BEGIN CERTIFICATE} blocks, as cloud providers ship them) is trusted as a whole.
 */
public final class CaCertificates {

  private CaCertificates() {
  }

  /**
   * The certificates in {@code pem}.
   *
   * @throws IllegalArgumentException when it holds none, or one that does not parse; the message
   *     says what was found, never the text itself
   */
  public static List<Certificate> parse(String pem) {
    if (pem == null || !pem.contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException("holds no PEM certificate (no -----BEGIN CERTIFICATE----- line)");
    }
    try {
      Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException("holds no PEM certificate");
      }
      return List.copyOf(new ArrayList<>(certificates));
    } catch (CertificateException e) {
      throw new IllegalArgumentException("holds a PEM block that is not a valid X.509 certificate");
    }
  }

  /** A TLS context that trusts exactly the certificates in {@code pem}, no others. */
  static SSLContext trusting(String pem) throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    try {
      store.load(null, null);
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException("cannot create an empty key store", e);
    }
    int i = 0;
    for (Certificate certificate : parse(pem)) {
      store.setCertificateEntry("ca-" + i++, certificate);
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }
}
