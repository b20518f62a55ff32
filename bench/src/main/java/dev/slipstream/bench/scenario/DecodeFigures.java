package dev.slipstream.bench.scenario;

import dev.slipstream.bench.core.Metric;
import dev.slipstream.bench.net.DebeziumReader;
import dev.slipstream.bench.scenario.DecodeReaders.Pass;
import dev.slipstream.bench.scenario.DecodeReaders.RuntimePass;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The decode scenario's figures: medians over the rounds of each reader's rate and CPU per million rows. */
final class DecodeFigures {

  private final int rows;
  private final long pgoutputBytes;
  private final List<Pass> slipstream;
  private final List<RuntimePass> runtime;
  private final List<Pass> recv;
  private final List<Pass> jdbc;
  private final List<Pass> debezium;

  DecodeFigures(int rows, long pgoutputBytes, List<RuntimePass> runtime, List<Pass> recv, List<Pass> jdbc,
      List<Pass> debezium) {
    this.rows = rows;
    this.pgoutputBytes = pgoutputBytes;
    this.runtime = runtime;
    this.slipstream = runtime.stream().map(RuntimePass::dispatched).toList();
    this.recv = recv;
    this.jdbc = jdbc;
    this.debezium = debezium;
  }

  List<Metric> metrics(List<String> notes) {
    String n = String.format(Locale.ROOT, "%,d rows (median of %d)", rows, slipstream.size());
    String pgRecv = "pg_recvlogical";
    String pgjdbc = "pgjdbc reader (no decoding)";
    String dbz = "Debezium embedded" + DebeziumReader.version();
    List<Metric> m = new ArrayList<>();
    double rate = median(slipstream, p -> rows / p.seconds());
    m.add(Metric.of("rows/s dispatched, " + n, "rows/s", rate, pgRecv, median(recv, p -> rows / p.seconds()))
        .ratioAtLeast(0.9));
    m.add(Metric.of("MB/s of pgoutput dispatched, " + n, "MB/s", median(slipstream, p -> pgoutputBytes / p.seconds()
        / 1e6), pgRecv, median(recv, p -> pgoutputBytes / p.seconds() / 1e6)));
    m.add(Metric.of("rows/s dispatched, " + n, "rows/s", rate, pgjdbc, median(jdbc, p -> rows / p.seconds())));
    if (!debezium.isEmpty()) {
      m.add(Metric.of("rows/s dispatched, " + n, "rows/s", rate, dbz, median(debezium, p -> rows / p.seconds()))
          .ratioAtLeast(2));
    }
    m.add(Metric.of("rows/s received by the subscriber, " + n, "rows/s",
        FanOutScenario.median(runtime.stream().mapToDouble(r -> rows / r.receivedSeconds()).toArray()), pgRecv,
        median(recv, p -> rows / p.seconds())));
    String cpu = "CPU per million rows, ";
    double mine = median(slipstream, p -> perMillion(p.cpu()));
    m.add(Metric.of(cpu + "reader (Slipstream: runtime JVM; baseline: pg_recvlogical process)", "s", mine, pgRecv,
        median(recv, p -> perMillion(p.cpu()))));
    m.add(Metric.of(cpu + "reader (baseline: pgjdbc reader thread)", "s", mine, pgjdbc,
        median(jdbc, p -> perMillion(p.cpu()))));
    if (!debezium.isEmpty()) {
      m.add(Metric.of(cpu + "reader (baseline: the benchmark JVM running Debezium)", "s", mine, dbz,
          median(debezium, p -> perMillion(p.cpu()))));
    }
    double wal = median(slipstream, p -> perMillion(p.walsenderCpu()));
    m.add(Metric.of(cpu + "walsender streaming to the reader", "s", wal, pgRecv,
        median(recv, p -> perMillion(p.walsenderCpu()))));
    m.add(Metric.of(cpu + "walsender streaming to the reader", "s", wal, pgjdbc,
        median(jdbc, p -> perMillion(p.walsenderCpu()))));
    if (!debezium.isEmpty()) {
      m.add(Metric.of(cpu + "walsender streaming to the reader", "s", wal, dbz,
          median(debezium, p -> perMillion(p.walsenderCpu()))));
    }
    m.add(Metric.of(cpu + "reader + its walsender", "s", median(slipstream, p -> perMillion(p.cpu() + p.walsenderCpu())),
        pgRecv, median(recv, p -> perMillion(p.cpu() + p.walsenderCpu()))));
    if (!recv.isEmpty()) {
      List<String> ratios = new ArrayList<>();
      for (int i = 0; i < Math.min(recv.size(), slipstream.size()); i++) {
        ratios.add(String.format(Locale.ROOT, "%.2f×", recv.get(i).seconds() / slipstream.get(i).seconds()));
      }
      notes.add("rows/s dispatched ÷ pg_recvlogical's, round by round: " + String.join(", ", ratios) + ".");
    }
    return m;
  }

  private double perMillion(double cpuSeconds) {
    return cpuSeconds / (rows / 1e6);
  }

  private static double median(List<Pass> passes, ToDoubleFunction<Pass> f) {
    return passes.isEmpty() ? Double.NaN : FanOutScenario.median(passes.stream().mapToDouble(f).toArray());
  }
}
