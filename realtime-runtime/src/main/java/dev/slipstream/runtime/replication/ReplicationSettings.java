package dev.slipstream.runtime.replication;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the runtime needs to stream a tenant's slot.
 *
 * @param sslMode libpq's sslmode: disable, prefer, require or verify-full
 * @param publications publication names passed to pgoutput ({@code publication_names})
 * @param streamedMemoryLimitBytes bound on in-progress streamed transactions held in memory
 *     before they spill to {@code spillDirectory}
 * @param statusInterval how often a standby status update is sent even when nothing changed
 * @param maxBackoff cap of the reconnect backoff (it starts at 100 ms and doubles)
 * @param heartbeatInterval how long the stream may deliver nothing before a heartbeat message is
 *     written into the database ({@link Heartbeat})
 * @param sslRootCert path of a PEM file with the CA certificate(s) {@code verify-full} checks the
 *     server's certificate against (the operator mounts {@code spec.database.caSecretRef} there); null:
 *     the CAs the JVM trusts. Read at every connection, so a CA rotated in the mounted Secret counts
 *     from the next reconnect.
 * @param receiveTimeout how long the replication connection may bring nothing at all (no data, no
 *     keepalive) before it is taken for dead, dropped and opened again; a third of it into a silence
 *     the runtime asks the server for a keepalive ({@link ReceiveDeadline})
 */
public record ReplicationSettings(
    String host,
    int port,
    String database,
    String user,
    String password,
    String sslMode,
    String slotName,
    List<String> publications,
    long streamedMemoryLimitBytes,
    Path spillDirectory,
    Duration statusInterval,
    Duration maxBackoff,
    Duration heartbeatInterval,
    String sslRootCert,
    Duration receiveTimeout) {

  /** A DNS name, an IPv4 address or an IPv6 address (with an optional zone), nothing that could end the URL's host. */
  private static final Pattern HOST = Pattern.compile(
      "[A-Za-z0-9_]([A-Za-z0-9._-]*[A-Za-z0-9_])?\\.?|[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9._-]+)?");
  private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");

  private static final String VERIFY_FULL = "verify-full";

  public static final long DEFAULT_STREAMED_MEMORY_LIMIT = 64L * 1024 * 1024;
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_RECEIVE_TIMEOUT = Duration.ofSeconds(30);

  /** With the default heartbeat interval. */
  public ReplicationSettings(String host, int port, String database, String user, String password, String sslMode,
      String slotName, List<String> publications, long streamedMemoryLimitBytes, Path spillDirectory,
      Duration statusInterval, Duration maxBackoff) {
    this(host, port, database, user, password, sslMode, slotName, publications, streamedMemoryLimitBytes,
        spillDirectory, statusInterval, maxBackoff, DEFAULT_HEARTBEAT_INTERVAL);
  }

  /** Without a CA file of its own: verify-full trusts the JVM's CAs. */
  public ReplicationSettings(String host, int port, String database, String user, String password, String sslMode,
      String slotName, List<String> publications, long streamedMemoryLimitBytes, Path spillDirectory,
      Duration statusInterval, Duration maxBackoff, Duration heartbeatInterval) {
    this(host, port, database, user, password, sslMode, slotName, publications, streamedMemoryLimitBytes,
        spillDirectory, statusInterval, maxBackoff, heartbeatInterval, null);
  }

  /** With the default receive timeout. */
  public ReplicationSettings(String host, int port, String database, String user, String password, String sslMode,
      String slotName, List<String> publications, long streamedMemoryLimitBytes, Path spillDirectory,
      Duration statusInterval, Duration maxBackoff, Duration heartbeatInterval, String sslRootCert) {
    this(host, port, database, user, password, sslMode, slotName, publications, streamedMemoryLimitBytes,
        spillDirectory, statusInterval, maxBackoff, heartbeatInterval, sslRootCert, DEFAULT_RECEIVE_TIMEOUT);
  }

  public ReplicationSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(slotName, "slotName");
    publications = List.copyOf(publications);
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    Objects.requireNonNull(receiveTimeout, "receiveTimeout");
    if (receiveTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("the replication receive timeout must be at least 1s: " + receiveTimeout);
    }
    if (publications.isEmpty()) {
      throw new IllegalArgumentException("at least one publication is needed to stream slot " + slotName);
    }
    if (!HOST.matcher(host).matches()) {
      throw new IllegalArgumentException("database host '" + host + "' is not a host name or IP address "
          + "(letters, digits, '.', '-', and ':' in an IPv6 address)");
    }
    requireSlotName(slotName);
    publications.forEach(ReplicationSettings::requirePublicationName);
    if (sslRootCert != null && !VERIFY_FULL.equals(sslMode)) {
      throw new IllegalArgumentException("a CA file (SLIPSTREAM_DB_SSLROOTCERT) needs sslmode verify-full "
          + "(SLIPSTREAM_DB_SSLMODE), not " + sslMode + ": only verify-full checks the server's certificate");
    }
  }

  /**
   * PostgreSQL's own rule for slot names (lower-case letters, digits, underscores; at most 63), checked
   * here because the name travels as text: pgjdbc writes it bare into {@code START_REPLICATION SLOT
   * name}, and a walsender connection takes only the simple query protocol, so the query for the
   * slot's position cannot bind it as a parameter either.
   */
  static void requireSlotName(String slotName) {
    if (!SLOT_NAME.matcher(slotName).matches()) {
      throw new IllegalArgumentException("replication slot name '" + slotName + "' is not valid: PostgreSQL allows only "
          + "lower-case letters, digits and underscores, at most 63 of them");
    }
  }

  /**
   * A publication name travels quoted inside the {@code publication_names} option's string, which
   * pgjdbc writes between single quotes without escaping them: a single quote would end the option.
   * No publication the operator names holds one.
   */
  static void requirePublicationName(String publication) {
    if (publication == null || publication.isEmpty() || publication.indexOf('\'') >= 0 || publication.indexOf('\0') >= 0
        || publication.getBytes(StandardCharsets.UTF_8).length > 63) {
      throw new IllegalArgumentException("publication name '" + publication + "' is not valid here: it must be 1 to 63 "
          + "bytes without single quotes or NUL");
    }
  }

  /**
   * The URL carries no parameters: the host is checked to be only a host, and the database name is
   * percent-encoded, so neither can add driver parameters (pgjdbc instantiates classes some of them
   * name, such as {@code socketFactory}).
   */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port + "/"
        + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** pgjdbc properties to log in as this role: user, password, TLS and an application name. */
  public java.util.Properties loginProperties(String applicationName) {
    java.util.Properties props = new java.util.Properties();
    org.postgresql.PGProperty.USER.set(props, user);
    org.postgresql.PGProperty.PASSWORD.set(props, password);
    org.postgresql.PGProperty.SSL_MODE.set(props, sslMode == null ? "prefer" : sslMode);
    if (VERIFY_FULL.equals(sslMode)) {
      // pgjdbc's default factory reads the CA file at each connection (a bundle of several is fine);
      // without one it would look for ~/.postgresql/root.crt, which no runtime pod has: the JVM's
      // CAs then. pgjdbc checks the host name against the certificate either way.
      if (sslRootCert != null) {
        org.postgresql.PGProperty.SSL_ROOT_CERT.set(props, sslRootCert);
      } else {
        org.postgresql.PGProperty.SSL_FACTORY.set(props, org.postgresql.ssl.DefaultJavaSSLFactory.class.getName());
      }
    }
    org.postgresql.PGProperty.APPLICATION_NAME.set(props, applicationName);
    return props;
  }

  /** Never the password: this is what logs and errors may show. */
  @Override
  public String toString() {
    return "ReplicationSettings[" + user + "@" + host + ":" + port + "/" + database + ", slot=" + slotName
        + ", publications=" + publications + ", sslMode=" + sslMode
        + (sslRootCert == null ? "" : ", sslRootCert=" + sslRootCert) + "]";
  }
}
