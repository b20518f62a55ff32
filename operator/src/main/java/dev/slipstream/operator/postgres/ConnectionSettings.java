package dev.slipstream.operator.postgres;

import dev.slipstream.api.v1alpha1.DatabaseSpec;
import dev.slipstream.api.v1alpha1.SslMode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.regex.Pattern;
import org.postgresql.PGProperty;
import org.postgresql.ssl.DefaultJavaSSLFactory;

/**
 * Where and as whom to connect to a tenant's database, and how long to wait.
 *
 * <p>{@link #toString()} and every message built by this package leave the password out.
 *
 * @param sslMode libpq's {@code sslmode}: disable, prefer, require or verify-full
 * @param caCertificates PEM certificates of the CA {@code verify-full} checks the server's certificate
 *     against ({@code spec.database.caSecretRef}); null: the CAs the JVM trusts
 */
public record ConnectionSettings(
    String host, int port, String database, String user, String password, String sslMode, Timeouts timeouts,
    String caCertificates) {

  /**
   * Bounds on every wait, so an unreachable or stuck database never holds a reconciler thread for
   * long.
   *
   * @param connect TCP connect ({@code connectTimeout})
   * @param login the whole connection attempt, DNS, TLS and authentication included ({@code loginTimeout})
   * @param socket any read from the server ({@code socketTimeout}); longer than {@code statement} so
   *     the server cancels a slow statement cleanly, with its own error, before the driver gives up
   * @param statement server-side {@code statement_timeout}
   * @param lock server-side {@code lock_timeout}: ALTER TABLE ... REPLICA IDENTITY needs an ACCESS
   *     EXCLUSIVE lock, and while it queues for one every other query on the table queues behind it;
   *     giving up quickly keeps the tenant's application running
   */
  public record Timeouts(Duration connect, Duration login, Duration socket, Duration statement, Duration lock) {

    public static final Timeouts DEFAULT = new Timeouts(
        Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(3));
  }

  /** A DNS name, an IPv4 address or an IPv6 address (with an optional zone), nothing that could end the URL's host. */
  private static final Pattern HOST = Pattern.compile(
      "[A-Za-z0-9_]([A-Za-z0-9._-]*[A-Za-z0-9_])?\\.?|[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9._-]+)?");

  public ConnectionSettings {
    requireText(host, "spec.database.host");
    requireText(database, "spec.database.name");
    requireText(user, "the credentials Secret's user");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("spec.database.port must be between 1 and 65535, not " + port);
    }
    if (!HOST.matcher(host).matches()) {
      // The host goes into the JDBC URL as text: a '/', '?' or '&' there would let the spec add
      // driver parameters (socketFactory, sslfactory: classes the driver instantiates).
      throw new IllegalArgumentException("spec.database.host '" + host + "' is not a host name or IP address "
          + "(letters, digits, '.', '-', and ':' in an IPv6 address)");
    }
    sslMode = sslMode == null ? SslMode.PREFER.libpqValue() : sslMode;
    timeouts = timeouts == null ? Timeouts.DEFAULT : timeouts;
    if (caCertificates != null && !SslMode.VERIFY_FULL.libpqValue().equals(sslMode)) {
      // The CRD refuses this too; a CA that would silently not be checked must not pass here either.
      throw new IllegalArgumentException("spec.database.caSecretRef needs spec.database.sslMode verify-full, not "
          + sslMode + ": only verify-full checks the server's certificate against a CA");
    }
  }

  /** Without a CA of its own: verify-full trusts the JVM's CAs. */
  public ConnectionSettings(String host, int port, String database, String user, String password, String sslMode,
      Timeouts timeouts) {
    this(host, port, database, user, password, sslMode, timeouts, null);
  }

  /** From a tenant's spec (defaults applied as the CRD does) and the credentials from its Secret. */
  public static ConnectionSettings of(DatabaseSpec spec, String user, String password) {
    return of(spec, user, password, null);
  }

  /** The same, with the PEM text of {@code spec.database.caSecretRef} (null without one). */
  public static ConnectionSettings of(DatabaseSpec spec, String user, String password, String caCertificates) {
    SslMode ssl = spec.getSslMode() == null ? SslMode.PREFER : spec.getSslMode();
    int port = spec.getPort() == null ? 5432 : spec.getPort();
    return new ConnectionSettings(spec.getHost(), port, spec.getName(), user, password, ssl.libpqValue(),
        Timeouts.DEFAULT, caCertificates);
  }

  public ConnectionSettings withTimeouts(Timeouts newTimeouts) {
    return new ConnectionSettings(host, port, database, user, password, sslMode, newTimeouts, caCertificates);
  }

  /** Whether the server's certificate is checked against a CA of the tenant's own. */
  boolean hasOwnCa() {
    return caCertificates != null;
  }

  /** {@code host:port/database}, for messages. */
  public String endpoint() {
    return hostAndPort() + "/" + database;
  }

  String hostAndPort() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /** The URL carries no credentials: they travel in {@link #properties()}. */
  String jdbcUrl() {
    return "jdbc:postgresql://" + hostAndPort() + "/"
        + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
  }

  Properties properties() {
    Properties props = new Properties();
    PGProperty.USER.set(props, user);
    if (password != null) {
      PGProperty.PASSWORD.set(props, password);
    }
    PGProperty.SSL_MODE.set(props, sslMode);
    if (SslMode.VERIFY_FULL.libpqValue().equals(sslMode)) {
      // pgjdbc's default factory would read ~/.postgresql/root.crt, a file no operator pod has: trust
      // the tenant's CA, handed over in memory, or else the JVM's CAs (a database whose certificate a
      // public CA signed). Either way pgjdbc then checks the host name against the certificate.
      if (caCertificates != null) {
        PGProperty.SSL_FACTORY.set(props, CaTrustSslFactory.class.getName());
        props.setProperty(CaTrustSslFactory.CA_PROPERTY, caCertificates);
      } else {
        PGProperty.SSL_FACTORY.set(props, DefaultJavaSSLFactory.class.getName());
      }
    }
    PGProperty.CONNECT_TIMEOUT.set(props, seconds(timeouts.connect()));
    PGProperty.LOGIN_TIMEOUT.set(props, seconds(timeouts.login()));
    PGProperty.SOCKET_TIMEOUT.set(props, seconds(timeouts.socket()));
    PGProperty.APPLICATION_NAME.set(props, "slipstream-operator");
    // pgjdbc's default, stated because OneStatement relies on it: the extended protocol carries one
    // statement per Parse message, where the simple protocol would run every statement in the text.
    PGProperty.PREFER_QUERY_MODE.set(props, "extended");
    PGProperty.TCP_KEEP_ALIVE.set(props, true);
    // No Kerberos here; "allow" could make the driver try GSS first and wait on a KDC.
    PGProperty.GSS_ENC_MODE.set(props, "disable");
    return props;
  }

  /**
   * The text with every occurrence of the password masked: a last guard for messages built from
   * server text. A password that is part of the user, database or host name is left alone: those
   * names are in every message anyway, and masking them would garble it (the embedded test server's
   * password is {@code postgres}, like its user and database).
   */
  public String redact(String text) {
    if (text == null || password == null || password.isEmpty()
        || user.contains(password) || database.contains(password) || host.contains(password)) {
      return text;
    }
    return text.replace(password, "****");
  }

  @Override
  public String toString() {
    return "ConnectionSettings[" + user + "@" + endpoint() + ", sslmode=" + sslMode
        + (caCertificates == null ? "" : ", own CA") + ", password="
        + (password == null || password.isEmpty() ? "none" : "****") + ", " + timeouts + "]";
  }

  private static int seconds(Duration duration) {
    return (int) Math.max(1, (duration.toMillis() + 999) / 1000);
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is required");
    }
  }
}
