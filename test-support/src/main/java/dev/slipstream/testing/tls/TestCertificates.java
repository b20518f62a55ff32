package dev.slipstream.testing.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made for one test, and server certificates it signs, as PEM: what a
 * cluster's cert-manager or a database provider would hand out. EC P-256 keys (fast to make, and
 * PostgreSQL, the JDK and Node all accept them); valid from an hour ago for a day.
 *
 * <pre>{@code
 * TestCertificates.Authority ca = TestCertificates.authority("test CA");
 * TestCertificates.Issued server = ca.issue("localhost", "localhost", "127.0.0.1");
 * Path dir = server.writeTo(tempDir); // ca.crt, tls.crt, tls.key as a kubernetes.io/tls Secret names them
 * }</pre>
 */
public final class TestCertificates {

  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private TestCertificates() {
  }

  /** A new self-signed CA. */
  public static Authority authority(String commonName) {
    KeyPair keys = ecKeys();
    X500Name subject = new X500Name("CN=" + commonName);
    try {
      X509v3CertificateBuilder builder = builder(subject, subject, keys)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      return new Authority(subject, keys, sign(builder, keys.getPrivate()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client's TLS context that trusts these CAs and no others. */
  public static SSLContext trusting(Authority... authorities) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < authorities.length; i++) {
        store.setCertificateEntry("ca-" + i, authorities[i].certificate());
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a TLS context trusting the test CAs", e);
    }
  }

  /** A CA and the certificate and key it signed. */
  public record Authority(X500Name subject, KeyPair keys, X509Certificate certificate) {

    /**
     * A server (and client) certificate for {@code names}: each an IP address literal or a DNS name,
     * all in the subject alternative names, which is what TLS clients check.
     */
    public Issued issue(String commonName, String... names) {
      KeyPair serverKeys = ecKeys();
      List<GeneralName> alternatives = new ArrayList<>();
      for (String name : names) {
        alternatives.add(isIpLiteral(name) ? new GeneralName(GeneralName.iPAddress, name)
            : new GeneralName(GeneralName.dNSName, name));
      }
      try {
        X509v3CertificateBuilder builder = builder(subject, new X500Name("CN=" + commonName), serverKeys)
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
            .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
            .addExtension(Extension.extendedKeyUsage, false,
                new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
            .addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(alternatives.toArray(GeneralName[]::new)));
        return new Issued(this, sign(builder, keys.getPrivate()), serverKeys.getPrivate());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The CA certificate as PEM. */
    public String certificatePem() {
      return pem(certificate);
    }

    /** Writes {@code ca.crt} into {@code directory}; returns its path. */
    public Path writeTo(Path directory) {
      return write(directory.resolve("ca.crt"), certificatePem());
    }
  }

  /** A certificate, its private key and the CA that signed it. */
  public record Issued(Authority authority, X509Certificate certificate, PrivateKey key) {

    public String certificatePem() {
      return pem(certificate);
    }

    /** The private key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), what Netty and PostgreSQL read. */
    public String keyPem() {
      try {
        return pem(new JcaPKCS8Generator(key, null).generate());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Writes {@code tls.crt}, {@code tls.key} (mode 0600, as PostgreSQL demands) and {@code ca.crt}. */
    public Path writeTo(Path directory) {
      write(directory.resolve("tls.crt"), certificatePem());
      Path key = write(directory.resolve("tls.key"), keyPem());
      try {
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      authority.writeTo(directory);
      return directory;
    }
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey) {
    try {
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey);
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a test certificate", e);
    }
  }

  private static KeyPair ecKeys() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("no EC P-256 in this JDK", e);
    }
  }

  private static boolean isIpLiteral(String name) {
    return name.indexOf(':') >= 0 || name.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  }

  private static String pem(Object object) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  private static Path write(Path path, String text) {
    try {
      Files.createDirectories(path.getParent());
      return Files.writeString(path, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
