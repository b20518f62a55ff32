package dev.slipstream.bench;

import dev.slipstream.bench.core.BenchContext;
import dev.slipstream.bench.core.Machine;
import dev.slipstream.bench.core.Metric;
import dev.slipstream.bench.core.ImageJvmOptions;
import dev.slipstream.bench.core.Options;
import dev.slipstream.bench.core.Report;
import dev.slipstream.bench.core.Scenario;
import dev.slipstream.bench.core.ScenarioResult;
import dev.slipstream.bench.core.Scenarios;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bin/bench [scenario|all] [--key=value ...]}: runs scenarios, prints their tables, writes
 * {@code bench/results/<scenario>.json} and the scenario's section of {@code docs/benchmarks.md}.
 *
 * <p>Options every scenario understands: {@code --containerMemory=2g} (the server JVMs, runtime and
 * baselines alike, start with the runtime image's JVM options and {@code -XX:MaxRAM} of this: as in a
 * container with this memory limit), {@code --runtimeHeap=1g} (instead: -Xms and -Xmx of this),
 * {@code --jfr=true} (a flight recording of the runtime JVM while it is measured, under
 * {@code bench/target/bench-work}),
 * {@code --serverJvm=-XX:A,-XX:B} (more options for the runtime and baseline JVMs alike, e.g.
 * {@code -XX:NativeMemoryTracking=summary}, which the connections scenario then reads with jcmd),
 * {@code --write=false} (print only). The rest are per scenario (see docs/benchmarks.md).
 */
public final class BenchMain {

  private BenchMain() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      usage();
      return;
    }
    if (args[0].equals("jfr") && args.length >= 2) {
      dev.slipstream.bench.core.JfrSummary.print(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 20);
      return;
    }
    Map<String, Scenario> known = Scenarios.all();
    String which = args[0];
    List<Scenario> chosen = which.equals("all") ? List.copyOf(known.values())
        : known.containsKey(which) ? List.of(known.get(which)) : null;
    if (chosen == null) {
      System.err.println("unknown scenario '" + which + "'");
      usage();
      System.exit(2);
      return;
    }
    Options options = Options.parse(Arrays.asList(args).subList(1, args.length));
    String command = System.getProperty("bench.command", "bin/bench " + String.join(" ", args));
    Path root = Path.of(System.getProperty("bench.root", "."));
    Path work = root.resolve("bench/target/bench-work");
    boolean write = options.flag("write", true);
    // The runtime and the baselines start with the runtime image's JVM options in a container of
    // --containerMemory (its heap is then MaxRAMPercentage of that); --runtimeHeap=1g instead gives all
    // of them -Xms1g -Xmx1g, as every run before 2026-12-03 evening did.
    List<String> runtimeJvm = new ArrayList<>(options.given().containsKey("runtimeHeap")
        ? List.of("-Xms" + options.string("runtimeHeap", "1g"), "-Xmx" + options.string("runtimeHeap", "1g"))
        : ImageJvmOptions.of(root, options.string("containerMemory", "2g")));
    // Diagnostics for the server JVMs (runtime and baselines alike), e.g. -XX:NativeMemoryTracking=summary.
    for (String extra : options.string("serverJvm", "").split(",")) {
      if (!extra.isBlank()) {
        runtimeJvm.add(extra.strip());
      }
    }
    BenchContext context = new BenchContext(work, runtimeJvm, options.flag("jfr", false));
    Map<String, String> machine = Machine.describe();
    Report report = new Report(root.resolve("bench/results"), root.resolve("docs/benchmarks.md"));
    boolean failed = false;
    for (Scenario scenario : chosen) {
      System.out.println("==> " + scenario.name() + ": " + scenario.title());
      try {
        ScenarioResult result = scenario.run(context, new Options(options.given()));
        String label = options.string("label", "");
        if (!label.isEmpty()) {
          result = new ScenarioResult(result.scenario() + "." + label, result.title() + " (" + label + ")",
              result.parameters(), result.metrics(), result.counts(), result.notes(), result.seconds());
        }
        print(result);
        if (write) {
          System.out.println("    wrote " + report.write(result, command, machine, Instant.now()));
        }
      } catch (Exception e) {
        failed = true;
        System.err.println("Scenario " + scenario.name() + " failed: " + e);
        e.printStackTrace();
      }
    }
    System.exit(failed ? 1 : 0);
  }

  private static void print(ScenarioResult r) {
    System.out.printf(Locale.ROOT, "    %s in %.0f s%n", r.title(), r.seconds());
    for (Metric m : r.metrics()) {
      System.out.printf(Locale.ROOT, "    %-90s %14.3f %-12s baseline %14.3f  ratio %6.2f  %s%s%n", m.name(),
          m.value(), m.unit(), m.baseline(), m.ratio(), m.target(),
          m.met() == null ? "" : m.met() ? " (met)" : " (MISSED)");
    }
    System.out.println("    counts " + r.counts());
    r.notes().forEach(n -> System.out.println("    - " + n));
  }

  private static void usage() {
    System.out.println("usage: bin/bench [" + String.join("|", Scenarios.all().keySet()) + "|all] [--key=value ...]");
    System.out.println("  latency  --subscribers=1000 --rates=100,1000 --seconds=30 --rounds=5 --warmupSeconds=5");
    System.out.println("           --knee=false --kneeRates=100,200,400,800,1600,3200,6400 --kneeSeconds=10 --kneeRounds=1 --kneeP99Millis=100");
    System.out.println("  fanout   --subscribers=15000 --eventsPerFlush=1,10 --rounds=20 --warmupRounds=3");
    System.out.println("  decode   --rows=1000000 --txRows=1000 --rounds=5 --pgRecvlogical=/usr/bin/pg_recvlogical");
    System.out.println("  broadcast --clients=1000 --roomSize=100 --seconds=20 --rounds=5");
    System.out.println("  memory   --connections=15000");
    System.out.println("  relay    --pods=3 --subscribers=300 --rate=100 --seconds=20 --warmupSeconds=5 --burstRows=100000");
    System.out.println("  connections --runtimes=3 --connectionsPerRuntime=15000 --rounds=5");
    System.out.println("  common   --containerMemory=2g (server JVMs: the runtime image's JVM options, sized for it)");
    System.out.println("           --runtimeHeap=1g (instead: -Xms1g -Xmx1g) --serverJvm=-XX:A,-XX:B (more server JVM options)");
    System.out.println("           --jfr=false --write=true --clientThreads=2");
    System.out.println("           --label=x   results as <scenario>.x (their own JSON and docs section)");
    System.out.println("usage: bin/bench jfr <recording.jfr> [top]   (hot threads and methods of a recording)");
  }
}
