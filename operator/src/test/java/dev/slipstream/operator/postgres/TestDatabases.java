package dev.slipstream.operator.postgres;

import dev.slipstream.testing.postgres.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;

/** Connection settings for the embedded servers, and a replication stream that holds a slot active. */
final class TestDatabases {

  private TestDatabases() {
  }

  static ConnectionSettings superuser(TestPostgres postgres) {
    return as(postgres, postgres.user(), postgres.password());
  }

  static ConnectionSettings as(TestPostgres postgres, String user, String password) {
    return new ConnectionSettings(postgres.host(), postgres.port(), postgres.database(), user, password, "disable", null);
  }

  /**
   * Streams from a pgoutput slot as the runtime would, so the slot is active and a WAL sender is
   * taken until {@link HeldSlot#close()}.
   */
  static HeldSlot stream(TestPostgres postgres, String slot, String publication) throws SQLException {
    Properties props = new Properties();
    PGProperty.USER.set(props, postgres.user());
    PGProperty.PASSWORD.set(props, postgres.password());
    PGProperty.REPLICATION.set(props, "database");
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
    PGProperty.PREFER_QUERY_MODE.set(props, "simple");
    Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), props);
    PGReplicationStream stream = connection.unwrap(PGConnection.class).getReplicationAPI()
        .replicationStream().logical().withSlotName(slot)
        .withSlotOption("proto_version", "1")
        .withSlotOption("publication_names", publication)
        .start();
    return new HeldSlot(connection, stream);
  }

  record HeldSlot(Connection connection, PGReplicationStream stream) implements AutoCloseable {

    @Override
    public void close() {
      try {
        stream.close();
      } catch (SQLException e) {
        // Expected when the operator terminated the backend.
      }
      try {
        connection.close();
      } catch (SQLException e) {
        // Same.
      }
    }
  }
}
