package dev.slipstream.bench.scenario;

import dev.slipstream.bench.core.BenchContext;
import dev.slipstream.bench.core.ChildJvm;
import dev.slipstream.bench.core.CpuWatch;
import dev.slipstream.bench.core.ProcessCpu;
import dev.slipstream.bench.core.Waits;
import dev.slipstream.bench.net.DebeziumReader;
import dev.slipstream.bench.net.LoadGenerator;
import dev.slipstream.bench.net.PgReplicationReader;
import dev.slipstream.testing.postgres.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The readers of the decode scenario, each on its own copy of the source slot
 * ({@code pg_copy_logical_replication_slot}, dropped afterwards), timed and with the CPU it and its
 * walsender used: pg_recvlogical (its process), the pgjdbc reader (its thread), Debezium embedded
 * (this JVM: nothing else runs in it meanwhile) and Slipstream (the runtime's JVM, from the slot
 * copy to the dispatch of the end marker).
 */
final class DecodeReaders {

  static final String JOIN = "[\"1\",\"1\",\"realtime:bench\",\"phx_join\",{\"config\":{\"postgres_changes\":"
      + "[{\"event\":\"INSERT\",\"schema\":\"public\",\"table\":\"bench_decode\"}]}}]";

  /** One reader's pass over the WAL. */
  record Pass(double seconds, double cpu, double walsenderCpu, long rows) {
  }

  /** Slipstream's pass, and when its subscriber had everything (NaN when it was cut off). */
  record RuntimePass(Pass dispatched, double receivedSeconds, long delivered, long closedEarly) {
  }

  private final BenchContext context;
  private final TestPostgres pg;
  private final int rows;
  private final String endLsn;
  private final Duration timeout;

  DecodeReaders(BenchContext context, TestPostgres pg, int rows, String endLsn, Duration timeout) {
    this.context = context;
    this.pg = pg;
    this.rows = rows;
    this.endLsn = endLsn;
    this.timeout = timeout;
  }

  /** pgoutput protocol 1 into /dev/null until the end position; CPU of its process and walsender from their start. */
  Pass recvlogical(String binary, int round) throws Exception {
    String slot = copy("decode_recvlogical_" + round);
    Files.createDirectories(context.workDir());
    Path log = context.workDir().resolve("pg_recvlogical.log");
    ProcessBuilder builder = new ProcessBuilder(binary,
        "--dbname=host=" + pg.host() + " port=" + pg.port() + " dbname=" + pg.database() + " user=" + pg.user(),
        "--slot=" + slot, "--start", "--no-loop", "--endpos=" + endLsn, "--fsync-interval=0",
        "-o", "proto_version=1", "-o", "publication_names=bench_decode", "-f", "-")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(log.toFile());
    builder.environment().put("PGPASSWORD", pg.password());
    try (Connection c = pg.connect(); CpuWatch walsender = CpuWatch.walsender(c, slot)) {
      long t0 = System.nanoTime();
      Process process = builder.start();
      try (CpuWatch cpu = CpuWatch.of(process.pid())) {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          throw new IllegalStateException("pg_recvlogical did not reach " + endLsn + " within " + timeout);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (process.exitValue() != 0) {
          throw new IllegalStateException("pg_recvlogical exited " + process.exitValue() + ": " + Files.readString(log));
        }
        return new Pass(seconds, cpu.seconds(), walsender.seconds(), rows);
      } finally {
        drop(slot);
      }
    }
  }

  /** The bare pgjdbc reader (no decoding); CPU of its thread. */
  Pass pgjdbc(int round) throws Exception {
    String slot = copy("decode_pgjdbc_" + round);
    try (Connection c = pg.connect(); CpuWatch walsender = CpuWatch.walsender(c, slot)) {
      long t0 = System.nanoTime();
      try (PgReplicationReader reader = PgReplicationReader.start(pg, slot, "bench_decode", (commit, at, col) -> { })) {
        Waits.until(() -> reader.inserts() >= rows || reader.failure() != null, timeout,
            () -> reader.inserts() + " of " + rows + " rows");
        double seconds = (System.nanoTime() - t0) / 1e9;
        pgoutputBytes = reader.bytes();
        return new Pass(seconds, reader.cpuSeconds(), walsender.seconds(), reader.inserts());
      }
    } finally {
      drop(slot);
    }
  }

  /** pgoutput bytes the last pgjdbc pass received. */
  long pgoutputBytes;

  /** Debezium embedded in this JVM; CPU of this whole JVM while it runs. */
  Pass debezium(int round) throws Exception {
    String slot = copy("decode_debezium_" + round);
    long self = ProcessHandle.current().pid();
    try (Connection c = pg.connect(); CpuWatch walsender = CpuWatch.walsender(c, slot)) {
      double cpu0 = ProcessCpu.seconds(self);
      long d0 = System.nanoTime();
      try (DebeziumReader debezium = new DebeziumReader(pg, slot, "bench_decode", "public.bench_decode")) {
        Waits.until(() -> debezium.changes() >= rows || debezium.failure() != null, timeout,
            () -> debezium.changes() + " of " + rows + " changes");
        if (debezium.failure() != null) {
          throw new IllegalStateException("Debezium failed", debezium.failure());
        }
        double seconds = (System.nanoTime() - d0) / 1e9;
        return new Pass(seconds, ProcessCpu.seconds(self) - cpu0, walsender.seconds(), debezium.changes());
      }
    } finally {
      drop(slot);
    }
  }

  /** Slipstream: the runtime in its JVM with one subscriber, until the end marker is dispatched and received. */
  RuntimePass slipstream(long clientBuffer, int round) throws Exception {
    String slot = "decode_runtime_" + round;
    try (ChildJvm runtime = context.startRuntime("decode-runtime", pg, slot, "bench_decode",
            List.of("-XX:MaxDirectMemorySize=2g"), List.of("clientBufferBytes=" + clientBuffer));
        LoadGenerator generator = new LoadGenerator(1);
        LoadGenerator.Clients client = generator.connect(runtime.port(), "/realtime/v1/websocket?vsn=2.0.0", 1,
            JOIN, (c, content, nanos) -> { }, Duration.ofMinutes(1));
        Connection c = pg.connect(); CpuWatch walsender = CpuWatch.walsender(c, slot)) {
      context.profileStart(runtime, "decode");
      double cpu0 = ProcessCpu.seconds(runtime.pid());
      long start = System.nanoTime();
      copy(slot);
      long dispatched = runtime.call("marker decode-end " + timeout.toSeconds(), timeout.plusSeconds(10))
          .get("nanos").asLong();
      double cpu = ProcessCpu.seconds(runtime.pid()) - cpu0;
      double walCpu = walsender.seconds();
      Waits.until(() -> client.totalChanges() >= rows || client.closedEarly() > 0, timeout,
          () -> client.totalChanges() + " of " + rows + " rows delivered");
      double received = client.closedEarly() > 0 ? Double.NaN : (System.nanoTime() - start) / 1e9;
      context.profileStop(runtime, "decode");
      return new RuntimePass(new Pass((dispatched - start) / 1e9, cpu, walCpu, rows), received, client.totalChanges(),
          client.closedEarly());
    } finally {
      drop(slot);
    }
  }

  private String copy(String slot) {
    pg.execute("SELECT pg_copy_logical_replication_slot('decode_src', '" + slot + "')");
    return slot;
  }

  /** Drops a slot once its reader has let go of it (max_replication_slots is 10). */
  private void drop(String slot) throws SQLException {
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      Waits.until(() -> {
        try (var r = s.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot
            + "' AND active")) {
          return r.next() && r.getLong(1) == 0;
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      }, Duration.ofSeconds(30), () -> "slot " + slot + " still active");
      s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
    }
  }

  static String version(String binary) throws IOException {
    Process version = new ProcessBuilder(binary, "--version").redirectErrorStream(true).start();
    return new String(version.getInputStream().readAllBytes()).trim();
  }
}
