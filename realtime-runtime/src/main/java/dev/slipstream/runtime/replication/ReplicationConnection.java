package dev.slipstream.runtime.replication;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * Opens a tenant's replication connection and starts pgoutput on it: the login, the session's text
 * formats, the slot's positions and the {@code START_REPLICATION} options. {@link ReplicationSource}
 * reads what it starts.
 */
final class ReplicationConnection {

  private ReplicationConnection() {}

  /** A walsender connection whose socket {@code watch} watches. */
  static Connection open(ReplicationSettings settings, ReceiveWatch watch) throws SQLException {
    return DriverManager.getConnection(settings.jdbcUrl(), watch.applyTo(properties(settings)));
  }

  /** The pgoutput protocol version and streaming mode the server supports. */
  static ProtocolVersion protocol(Connection conn) throws SQLException {
    return ProtocolVersion.forServer(serverVersionNum(conn));
  }

  /** Starts streaming the slot from its confirmed position. */
  static PGReplicationStream start(Connection conn, ReplicationSettings settings, ProtocolVersion protocol)
      throws SQLException {
    return conn.unwrap(PGConnection.class).getReplicationAPI()
        .replicationStream()
        .logical()
        .withSlotName(settings.slotName())
        .withStartPosition(LogSequenceNumber.INVALID_LSN)
        .withSlotOption("proto_version", String.valueOf(protocol.version()))
        .withSlotOption("publication_names", publicationNames(settings.publications()))
        .withSlotOption("messages", "true")
        .withSlotOptions(streamingOption(protocol))
        .withStatusInterval((int) settings.statusInterval().toMillis(), TimeUnit.MILLISECONDS)
        // pgjdbc would otherwise confirm a keepalive's WAL position by itself once we confirmed the
        // last message; the slot moves only on what the runtime confirmed (and, with a relay, what
        // every follower acknowledged): see ReplicationSource.confirmIdle.
        .withAutomaticFlush(false)
        .start();
  }

  private static Properties properties(ReplicationSettings settings) {
    Properties props = settings.loginProperties("slipstream-runtime");
    PGProperty.REPLICATION.set(props, "database");
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
    PGProperty.PREFER_QUERY_MODE.set(props, "simple");
    PGProperty.TCP_KEEP_ALIVE.set(props, true);
    // Bounds each read while connecting and querying the slot (a partition that holds packets would
    // otherwise hang the reconnect); streaming lowers it to the status interval, and the read loop
    // has its own deadline.
    PGProperty.SOCKET_TIMEOUT.set(props, (int) Math.max(1, settings.receiveTimeout().toSeconds()));
    return props;
  }

  private static int serverVersionNum(Connection conn) throws SQLException {
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SHOW server_version_num")) {
      rs.next();
      return Integer.parseInt(rs.getString(1));
    }
  }

  /**
   * pgoutput renders values with the walsender session's settings; these make the text the value
   * converters expect whatever the server's defaults are.
   */
  static void useStableTextFormats(Connection conn) throws SQLException {
    try (Statement st = conn.createStatement()) {
      st.execute("SET DateStyle = 'ISO, MDY'");
      st.execute("SET TimeZone = 'UTC'");
      st.execute("SET IntervalStyle = 'postgres'");
      st.execute("SET extra_float_digits = 3");
      st.execute("SET bytea_output = 'hex'");
    }
  }

  /**
   * Where the slot resumes (the server streams the transactions that end after its
   * {@code confirmed_flush_lsn}), and where the server's WAL ends now (on a standby, where replay
   * has reached): no event this stream delivers can have been seen by a client beyond the latter.
   */
  static long[] slotPositions(Connection conn, String slotName) throws SQLException {
    // A walsender connection takes only the simple query protocol, so no bind parameter: the name
    // is a literal, safe because ReplicationSettings admits only [a-z0-9_] (quotes doubled anyway).
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT confirmed_flush_lsn, CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()"
            + " ELSE pg_current_wal_lsn() END FROM pg_replication_slots WHERE slot_name = '"
            + slotName.replace("'", "''") + "'")) {
      if (!rs.next() || rs.getString(1) == null) {
        throw new SQLException("replication slot " + slotName + " does not exist or is not logical");
      }
      return new long[] {LogSequenceNumber.valueOf(rs.getString(1)).asLong(),
          rs.getString(2) == null ? 0 : LogSequenceNumber.valueOf(rs.getString(2)).asLong()};
    }
  }

  private static String publicationNames(List<String> publications) {
    // Quoted: publication_names is parsed as a list of SQL identifiers.
    return publications.stream()
        .map(name -> '"' + name.replace("\"", "\"\"") + '"')
        .collect(Collectors.joining(","));
  }

  private static Properties streamingOption(ProtocolVersion protocol) {
    Properties options = new Properties();
    if (protocol.version() >= 2) {
      options.setProperty("streaming", protocol.streaming().optionValue());
    }
    return options;
  }
}
