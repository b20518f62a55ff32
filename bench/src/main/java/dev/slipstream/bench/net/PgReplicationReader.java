package dev.slipstream.bench.net;

import dev.slipstream.testing.postgres.TestPostgres;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;

/**
 * A bare pgjdbc logical replication reader (pgoutput protocol 1) on its own thread: it decodes
 * nothing but a Begin's commit timestamp (and, for an {@link InsertListener}, each Insert's second
 * column) and acknowledges each commit. The decode baseline, and the reading half of the bare
 * pipeline ({@link dev.slipstream.bench.host.BarePipelineServer}).
 */
public final class PgReplicationReader implements AutoCloseable {

  /** Called on the reader's thread for every Insert. */
  @FunctionalInterface
  public interface InsertListener {

    /**
     * @param commitMicros the transaction's commit timestamp (epoch microseconds)
     * @param firstColumn the second column's text (the first after the key), or null
     */
    void onInsert(long commitMicros, long receivedMicros, String firstColumn);
  }

  /** Called on the reader's thread for every pgoutput message (Relation, Begin, Insert, ...). */
  @FunctionalInterface
  public interface MessageListener {

    /**
     * @param commitMicros the current transaction's commit timestamp (epoch microseconds)
     * @param message the pgoutput message, valid only during the call
     */
    void onMessage(long commitMicros, long receivedMicros, ByteBuffer message);
  }

  private final Connection connection;
  private final PGReplicationStream stream;
  private final Thread thread;
  private final AtomicLong inserts = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private volatile boolean running = true;
  private volatile Throwable failure;

  private PgReplicationReader(Connection connection, PGReplicationStream stream, MessageListener listener) {
    this.connection = connection;
    this.stream = stream;
    this.thread = new Thread(() -> run(listener), "pgjdbc-reader");
    thread.setDaemon(true);
    thread.start();
  }

  public static PgReplicationReader start(TestPostgres pg, String slot, String publication, InsertListener listener)
      throws SQLException {
    return start(pg.jdbcUrl(), pg.user(), pg.password(), slot, publication, (commit, received, message) -> {
      if (message.get(message.position()) == 'I') {
        listener.onInsert(commit, received, secondColumn(message));
      }
    });
  }

  /** Streams {@code slot} (pgoutput protocol 1 of {@code publication}) to {@code listener}, every message. */
  public static PgReplicationReader start(String jdbcUrl, String user, String password, String slot,
      String publication, MessageListener listener) throws SQLException {
    Properties props = new Properties();
    PGProperty.USER.set(props, user);
    PGProperty.PASSWORD.set(props, password);
    PGProperty.REPLICATION.set(props, "database");
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
    PGProperty.PREFER_QUERY_MODE.set(props, "simple");
    Connection connection = DriverManager.getConnection(jdbcUrl, props);
    PGReplicationStream stream = connection.unwrap(PGConnection.class).getReplicationAPI().replicationStream()
        .logical().withSlotName(slot)
        .withSlotOption("proto_version", "1")
        .withSlotOption("publication_names", publication)
        .withStatusInterval(10, TimeUnit.SECONDS)
        .start();
    return new PgReplicationReader(connection, stream, listener);
  }

  private void run(MessageListener listener) {
    long commitMicros = 0;
    try {
      while (running) {
        ByteBuffer message = stream.read();
        long received = Timestamps.nowMicros();
        if (message == null) {
          continue;
        }
        int at = message.arrayOffset() + message.position();
        byte[] b = message.array();
        bytes.addAndGet(message.remaining());
        switch (b[at]) {
          case 'B' -> commitMicros = Timestamps.PG_EPOCH_MICROS + message.getLong(message.position() + 9);
          case 'I' -> inserts.incrementAndGet();
          case 'C' -> {
            stream.setAppliedLSN(stream.getLastReceiveLSN());
            stream.setFlushedLSN(stream.getLastReceiveLSN());
          }
          default -> { }
        }
        listener.onMessage(commitMicros, received, message);
      }
    } catch (Throwable e) {
      if (running) {
        failure = e;
      }
    }
  }

  /** 'I', relation id (4), 'N', column count (2), then columns: 't' + length (4) + text, or 'n'/'u'. */
  private static String secondColumn(ByteBuffer m) {
    int p = m.position() + 1 + 4 + 1 + 2;
    for (int column = 0; column < 2; column++) {
      byte kind = m.get(p++);
      if (kind != 't') {
        if (column == 1) {
          return null;
        }
        continue;
      }
      int length = m.getInt(p);
      p += 4;
      if (column == 1) {
        return new String(m.array(), m.arrayOffset() + p, length, java.nio.charset.StandardCharsets.UTF_8);
      }
      p += length;
    }
    return null;
  }

  public long inserts() {
    return inserts.get();
  }

  /** pgoutput bytes received. */
  public long bytes() {
    return bytes.get();
  }

  /** The reading thread's CPU time so far, in seconds (it does all of this reader's work). */
  public double cpuSeconds() {
    long nanos = java.lang.management.ManagementFactory.getThreadMXBean().getThreadCpuTime(thread.threadId());
    return nanos < 0 ? Double.NaN : nanos / 1e9;
  }

  public Throwable failure() {
    return failure;
  }

  @Override
  public void close() {
    running = false;
    // Not stream.close(): it would wait for the server to end the copy. Closing the socket ends the read.
    try {
      connection.close();
    } catch (SQLException e) {
      // closing anyway
    }
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
