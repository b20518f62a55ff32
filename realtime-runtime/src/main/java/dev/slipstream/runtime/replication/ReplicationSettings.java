package dev.slipstream.runtime.replication;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

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
    Duration heartbeatInterval) {

  public static final long DEFAULT_STREAMED_MEMORY_LIMIT = 64L * 1024 * 1024;
  public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(30);

  /** With the default heartbeat interval. */
  public ReplicationSettings(String host, int port, String database, String user, String password, String sslMode,
      String slotName, List<String> publications, long streamedMemoryLimitBytes, Path spillDirectory,
      Duration statusInterval, Duration maxBackoff) {
    this(host, port, database, user, password, sslMode, slotName, publications, streamedMemoryLimitBytes,
        spillDirectory, statusInterval, maxBackoff, DEFAULT_HEARTBEAT_INTERVAL);
  }

  public ReplicationSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(slotName, "slotName");
    publications = List.copyOf(publications);
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    if (publications.isEmpty()) {
      throw new IllegalArgumentException("at least one publication is needed to stream slot " + slotName);
    }
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  /** pgjdbc properties to log in as this role: user, password, sslmode and an application name. */
  public java.util.Properties loginProperties(String applicationName) {
    java.util.Properties props = new java.util.Properties();
    org.postgresql.PGProperty.USER.set(props, user);
    org.postgresql.PGProperty.PASSWORD.set(props, password);
    org.postgresql.PGProperty.SSL_MODE.set(props, sslMode == null ? "prefer" : sslMode);
    org.postgresql.PGProperty.APPLICATION_NAME.set(props, applicationName);
    return props;
  }

  /** Never the password: this is what logs and errors may show. */
  @Override
  public String toString() {
    return "ReplicationSettings[" + user + "@" + host + ":" + port + "/" + database + ", slot=" + slotName
        + ", publications=" + publications + ", sslMode=" + sslMode + "]";
  }
}
