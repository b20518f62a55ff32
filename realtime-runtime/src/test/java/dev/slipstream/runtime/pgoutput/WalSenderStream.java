package dev.slipstream.runtime.pgoutput;

import dev.slipstream.testing.postgres.TestPostgres;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;
import org.postgresql.replication.fluent.logical.ChainedLogicalStreamBuilder;

/**
 * A pgoutput slot read the way the runtime reads it: a walsender connection through pgjdbc's
 * replication API, which hands over each XLogData payload (one pgoutput message). Needed where
 * the SQL interface cannot show something: a transaction that is streamed while still open and
 * then aborts only reaches a decoding session that was running before the abort.
 */
final class WalSenderStream implements AutoCloseable {

  private final Connection connection;
  private final PGReplicationStream stream;

  private WalSenderStream(Connection connection, PGReplicationStream stream) {
    this.connection = connection;
    this.stream = stream;
  }

  /** Starts streaming the slot from its confirmed position with the slot's options. */
  static WalSenderStream start(TestPostgres postgres, LogicalSlot slot) throws SQLException {
    Properties props = new Properties();
    PGProperty.USER.set(props, postgres.user());
    PGProperty.PASSWORD.set(props, postgres.password());
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
    PGProperty.REPLICATION.set(props, "database");
    PGProperty.PREFER_QUERY_MODE.set(props, "simple");
    Connection connection = DriverManager.getConnection(postgres.jdbcUrl(), props);
    try {
      ChainedLogicalStreamBuilder builder = connection.unwrap(PGConnection.class)
          .getReplicationAPI().replicationStream().logical()
          .withSlotName(slot.name())
          .withStatusInterval(1, TimeUnit.SECONDS);
      for (Map.Entry<String, String> option : slot.options().entrySet()) {
        builder.withSlotOption(option.getKey(), option.getValue());
      }
      return new WalSenderStream(connection, builder.start());
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  /**
   * Reads messages until one matches {@code last} (included). {@code convert} gets each message
   * exactly as pgjdbc hands it over (the buffer's position is where the message starts) and must
   * not keep the buffer, which pgjdbc reuses.
   */
  <T> List<T> readUntil(Function<ByteBuffer, T> convert, Predicate<T> last, Duration timeout)
      throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<T> messages = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      ByteBuffer message = stream.readPending();
      if (message == null) {
        Thread.sleep(5);
        continue;
      }
      T converted = convert.apply(message);
      messages.add(converted);
      stream.setAppliedLSN(stream.getLastReceiveLSN());
      stream.setFlushedLSN(stream.getLastReceiveLSN());
      if (last.test(converted)) {
        return messages;
      }
    }
    throw new AssertionError("no matching message within " + timeout + "; got " + messages.size()
        + " messages");
  }

  /** A predicate on the message type byte. */
  static Predicate<byte[]> type(char type) {
    return message -> message.length > 0 && message[0] == type;
  }

  static byte[] bytes(ByteBuffer message) {
    byte[] bytes = new byte[message.remaining()];
    message.duplicate().get(bytes);
    return bytes;
  }

  @Override
  public void close() throws SQLException {
    try {
      stream.close();
    } finally {
      connection.close();
    }
  }
}
