package dev.slipstream.bench.net;

import dev.slipstream.testing.postgres.TestPostgres;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import java.io.IOException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Debezium embedded engine with its PostgreSQL connector (pgoutput) on an existing slot and
 * publication, no snapshot, in-memory offsets, every change converted to JSON (schemas off) and
 * counted: Debezium's equivalent of decoding and dispatching a change.
 */
public final class DebeziumReader implements AutoCloseable {

  private final DebeziumEngine<ChangeEvent<String, String>> engine;
  private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "debezium"));
  private final AtomicLong changes = new AtomicLong();
  private final AtomicLong firstNanos = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  public DebeziumReader(TestPostgres pg, String slot, String publication, String table) {
    String suffix = "." + table.substring(table.indexOf('.') + 1);
    Properties p = new Properties();
    p.setProperty("name", "bench-debezium");
    p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
    p.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
    p.setProperty("offset.flush.interval.ms", "60000");
    p.setProperty("database.hostname", pg.host());
    p.setProperty("database.port", Integer.toString(pg.port()));
    p.setProperty("database.user", pg.user());
    p.setProperty("database.password", pg.password());
    p.setProperty("database.dbname", pg.database());
    p.setProperty("topic.prefix", "bench");
    p.setProperty("plugin.name", "pgoutput");
    p.setProperty("slot.name", slot);
    p.setProperty("publication.name", publication);
    p.setProperty("publication.autocreate.mode", "disabled");
    p.setProperty("snapshot.mode", "no_data");
    p.setProperty("table.include.list", table);
    p.setProperty("key.converter.schemas.enable", "false");
    p.setProperty("value.converter.schemas.enable", "false");
    engine = DebeziumEngine.create(Json.class).using(p)
        .notifying((List<ChangeEvent<String, String>> records, DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer) -> {
          firstNanos.compareAndSet(0, System.nanoTime());
          for (ChangeEvent<String, String> record : records) {
            if (record.value() != null && record.destination() != null && record.destination().endsWith(suffix)) {
              changes.incrementAndGet();
            }
            committer.markProcessed(record);
          }
          committer.markBatchFinished();
        })
        .using((success, message, error) -> {
          if (!success) {
            failure.compareAndSet(null, error != null ? error : new IllegalStateException(message));
          }
        })
        .build();
    executor.execute(engine);
  }

  /** The engine's version, as its jar says. */
  public static String version() {
    String v = DebeziumEngine.class.getPackage().getImplementationVersion();
    return v == null ? "" : " " + v;
  }

  public long changes() {
    return changes.get();
  }

  /** When the first batch arrived ({@link System#nanoTime}), 0 before. */
  public long firstNanos() {
    return firstNanos.get();
  }

  public Throwable failure() {
    return failure.get();
  }

  @Override
  public void close() {
    try {
      engine.close();
    } catch (IOException e) {
      // stopping anyway
    }
    executor.shutdown();
    try {
      executor.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
