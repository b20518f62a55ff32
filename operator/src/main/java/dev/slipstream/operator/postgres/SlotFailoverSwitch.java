package dev.slipstream.operator.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes an existing slot a failover slot, or no longer one, in place, keeping its position:
 * PostgreSQL 17's {@code ALTER_REPLICATION_SLOT}, a command of the replication protocol (so it
 * needs a replication connection of its own; there is no SQL function for it).
 *
 * <p>The command takes the slot for an instant, and while a backend streams from the slot (the
 * runtime, nearly always) it waits for the slot to be let go. So the command is sent first, and
 * then the backend streaming from the slot is ended: the command, already waiting, takes the slot
 * the moment it is released, before the runtime reconnects (its first retry comes 100 ms later),
 * and the runtime resumes from the slot's position: nothing is lost, clients see a pause.
 */
final class SlotFailoverSwitch {

  private static final Logger LOG = LoggerFactory.getLogger(SlotFailoverSwitch.class);
  /** How long the command may wait before the backend holding the slot is ended (again). */
  private static final Duration PATIENCE = Duration.ofMillis(300);

  private SlotFailoverSwitch() {
  }

  /**
   * Sets the slot's failover flag, ending the backend streaming from it if need be; gives up after
   * {@code statement_timeout} (the operator's, for the replication command, which the server does not time out).
   *
   * @param session an ordinary session to the same database, to end the backend holding the slot
   * @throws DatabaseException SlotInUse when the slot could not be taken in time, or what PostgreSQL said
   */
  static void set(ConnectionSettings settings, Connection session, PostgresVersion version, String slot,
      boolean failover) {
    String command = "ALTER_REPLICATION_SLOT " + Identifiers.quote(slot) + " ( FAILOVER " + failover + " )";
    long deadline = System.nanoTime() + settings.timeouts().statement().toNanos();
    try (Connection replication = DriverManager.getConnection(settings.jdbcUrl(), replicationProperties(settings));
        Statement alter = replication.createStatement();
        PreparedStatement terminate = session.prepareStatement(
            SlotSql.terminateActiveBackend(version) + " AND active_pid <> ?")) {
      CompletableFuture<Void> altered = CompletableFuture.runAsync(() -> {
        try {
          alter.execute(command);
        } catch (SQLException e) {
          throw new CompletionException(e);
        }
      }, Thread::startVirtualThread);
      terminate.setString(1, slot);
      terminate.setInt(2, replication.unwrap(PGConnection.class).getBackendPID());
      while (!finished(altered, PATIENCE)) {
        if (System.nanoTime() - deadline > 0) {
          alter.cancel();
          throw new DatabaseException(PostgresReasons.SLOT_IN_USE, "changing replication slot " + slot
              + " to failover = " + failover + " did not get the slot within " + settings.timeouts().statement().toSeconds()
              + " s: another backend kept taking it");
        }
        LOG.info("{}: ending the backend streaming from replication slot {} so that its failover setting can change",
            settings.endpoint(), slot);
        terminate.executeQuery().close();
      }
      LOG.info("{}: replication slot {} now has failover = {}", settings.endpoint(), slot, failover);
    } catch (SQLException e) {
      throw SqlFailures.query(e, settings, "changing replication slot " + slot + " to failover = " + failover);
    }
  }

  /** Whether the command finished within {@code wait}; rethrows its failure. */
  private static boolean finished(CompletableFuture<Void> altered, Duration wait) throws SQLException {
    try {
      altered.get(wait.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SQLException sql) {
        throw sql;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DatabaseException(PostgresReasons.DATABASE_ERROR, "interrupted while changing a replication slot");
    }
  }

  private static Properties replicationProperties(ConnectionSettings settings) {
    Properties props = settings.properties();
    PGProperty.REPLICATION.set(props, "database");
    // The replication protocol takes commands as simple queries; one command, its one name quoted.
    PGProperty.PREFER_QUERY_MODE.set(props, "simple");
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
    return props;
  }
}
