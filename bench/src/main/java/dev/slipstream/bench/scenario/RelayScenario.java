package dev.slipstream.bench.scenario;

import dev.slipstream.bench.core.BenchContext;
import dev.slipstream.bench.core.ChildJvm;
import dev.slipstream.bench.core.Metric;
import dev.slipstream.bench.core.Options;
import dev.slipstream.bench.core.ProcessCpu;
import dev.slipstream.bench.core.Progress;
import dev.slipstream.bench.core.Scenario;
import dev.slipstream.bench.core.ScenarioResult;
import dev.slipstream.bench.core.Waits;
import dev.slipstream.bench.net.LoadGenerator;
import dev.slipstream.bench.net.Timestamps;
import dev.slipstream.testing.RepositoryLayout;
import dev.slipstream.testing.kube.TestApiServer;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * 8. The relay's cost. The same subscribers (S in all, S/N per process) and the same change rate
 * (R rows/s, one row per transaction), served (a) by N runtime pods of one tenant — the Lease's
 * holder streams the one slot and relays every change to the N-1 followers — and (b), the baseline,
 * by N independent runtimes, each streaming a slot of its own (scale-out without a relay: the WAL
 * decoded N times). Measured over the same window in both: commit-to-client latency (client clock
 * at receipt − the WAL's commit timestamp) for clients on the leader and on followers, deliveries/s,
 * and the CPU seconds each runtime process and each walsender used ({@code /proc/<pid>/stat}) per
 * million deliveries. Then the relay alone: with the followers stopped (SIGSTOP), a burst of rows is
 * committed and decoded by the leader into its relay backlog; the followers are resumed and timed
 * until each has dispatched the whole burst (a database message after it): changes/s one leader
 * relays to its followers at saturation, next to the leader's own decode rate of the same burst.
 */
public final class RelayScenario implements Scenario {

  private static final String TABLE = "bench_relay";
  private static final String PUBLICATION = "bench_relay";
  private static final String NAMESPACE = "bench";
  private static final String TENANT = "relay";
  private static final String JOIN = "[\"1\",\"1\",\"realtime:relay\",\"phx_join\",{\"config\":{\"postgres_changes\":"
      + "[{\"event\":\"INSERT\",\"schema\":\"public\",\"table\":\"" + TABLE + "\"}]}}]";
  private static final ByteBuf PHASE = Timestamps.key("phase");
  private static final String BODY = PacedWriter.BODY;
  private static final Duration IDLE = Duration.ofSeconds(5);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Override
  public String name() {
    return "relay";
  }

  @Override
  public String title() {
    return "Relay cost: pods of one tenant against independent runtimes";
  }

  /** A runtime process under test: its client address and whether it reads a slot itself. */
  private record Pod(String name, String host, ChildJvm jvm, boolean leader) {
  }

  /** What one configuration's measured window gave. */
  private record Window(Histogram[] perPod, long[] delivered, double[] cpu, double walsenderCpu, int walsenders,
      long rows, long expected, double seconds, long closedEarly, long slowClientsClosed, double[] idleCores) {

    long deliveredTotal() {
      long sum = 0;
      for (long d : delivered) {
        sum += d;
      }
      return sum;
    }

    double cpuTotal() {
      double sum = walsenderCpu;
      for (double c : cpu) {
        sum += c;
      }
      return sum;
    }

    /** Several windows of one configuration as one: latencies, deliveries and CPU summed, idle CPU averaged. */
    static Window merge(List<Window> windows) {
      Window first = windows.getFirst();
      int n = first.perPod().length;
      Histogram[] h = new Histogram[n];
      long[] delivered = new long[n];
      double[] cpu = new double[n];
      double[] idle = new double[n];
      double wal = 0;
      long rows = 0;
      long expected = 0;
      double seconds = 0;
      long closed = 0;
      long slow = 0;
      for (int i = 0; i < n; i++) {
        h[i] = Latencies.histogram();
      }
      for (Window w : windows) {
        for (int i = 0; i < n; i++) {
          h[i].add(w.perPod()[i]);
          delivered[i] += w.delivered()[i];
          cpu[i] += w.cpu()[i];
          idle[i] += w.idleCores()[i] / windows.size();
        }
        wal += w.walsenderCpu();
        rows += w.rows();
        expected += w.expected();
        seconds += w.seconds();
        closed += w.closedEarly();
        slow = Math.max(slow, w.slowClientsClosed()); // the runtimes' counters are cumulative
      }
      return new Window(h, delivered, cpu, wal, first.walsenders(), rows, expected, seconds, closed, slow, idle);
    }

    static String summary(List<Window> windows) {
      List<String> parts = new ArrayList<>();
      for (Window w : windows) {
        Histogram all = w.merged(i -> true);
        parts.add(String.format(java.util.Locale.ROOT, "%.1f / %.1f ms, %.1f s", all.getValueAtPercentile(50) / 1000.0,
            all.getValueAtPercentile(99) / 1000.0, perMillion(w.cpuTotal(), w.deliveredTotal())));
      }
      return String.join("; ", parts);
    }

    Histogram merged(java.util.function.IntPredicate which) {
      Histogram h = Latencies.histogram();
      for (int i = 0; i < perPod.length; i++) {
        if (which.test(i)) {
          h.add(perPod[i]);
        }
      }
      return h;
    }
  }

  @Override
  public ScenarioResult run(BenchContext context, Options o) throws Exception {
    long started = System.nanoTime();
    int pods = o.integer("pods", 3);
    int subscribers = o.integer("subscribers", 300);
    int rate = o.integer("rate", 100);
    Duration warmup = o.seconds("warmupSeconds", 5);
    Duration measure = o.seconds("seconds", 20);
    int burstRows = o.integer("burstRows", 100_000);
    int clientThreads = o.integer("clientThreads", 2);
    int rounds = o.integer("rounds", 2);
    if (pods < 2 || subscribers < pods) {
      throw new IllegalArgumentException("--pods must be at least 2 and --subscribers at least --pods");
    }
    int perPod = subscribers / pods;
    List<Metric> metrics = new ArrayList<>();
    Map<String, Long> counts = new LinkedHashMap<>();
    List<String> notes = new ArrayList<>();
    Window tenant;
    Window solo;
    Burst burst;
    List<Pod> tenantPods = new ArrayList<>();
    TestPostgres pg = context.startPostgres();
    try (TestApiServer kube = TestApiServer.start(); LoadGenerator generator = new LoadGenerator(clientThreads);
        Connection writer = pg.connect()) {
      pg.execute("CREATE TABLE " + TABLE + " (id bigserial PRIMARY KEY, phase int NOT NULL, body text NOT NULL)",
          "CREATE PUBLICATION " + PUBLICATION + " FOR TABLE " + TABLE);
      kube.installCrds(RepositoryLayout.crds());
      kube.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata()
          .build()).create();
      kube.client().load(new ByteArrayInputStream(("""
          apiVersion: realtime.slipstream.dev/v1alpha1
          kind: RealtimeTenant
          metadata:
            name: %s
          spec:
            database:
              host: %s
              name: %s
              credentialsSecretRef:
                name: relay-db
            runtime:
              replicas:
                min: %d
                max: %d
          """.formatted(TENANT, pg.host(), pg.database(), pods, pods)).getBytes(StandardCharsets.UTF_8)))
          .inNamespace(NAMESPACE).create();
      Path kubeconfig = context.workDir().toAbsolutePath().resolve("relay-kubeconfig.yaml");
      Files.createDirectories(kubeconfig.getParent());
      Files.writeString(kubeconfig, kube.kubeconfigYaml());
      PreparedStatement insert = writer.prepareStatement("INSERT INTO " + TABLE + " (phase, body) VALUES (?, ?)");

      // (a) N pods of one tenant behind one slot, and (b) the baseline, N runtimes each with a slot of its own.
      // Both sets run side by side, idle while the other is measured, and their windows alternate (a b, b a, ...),
      // so that what else runs on this machine weighs on both alike.
      pg.execute("SELECT pg_create_logical_replication_slot('relay_tenant', 'pgoutput')");
      List<Pod> soloPods = new ArrayList<>();
      try {
        int relayPort = freePort();
        for (int i = 0; i < pods; i++) {
          String host = "127.0.0." + (11 + i);
          String name = TENANT + "-runtime-" + i;
          ChildJvm jvm = context.startRuntime("relay-pod-" + i, pg, "relay_tenant", PUBLICATION, List.of(),
              List.of("tenant=" + TENANT, "namespace=" + NAMESPACE, "pod=" + name, "listen=" + host,
                  "relayPort=" + relayPort), Map.of("KUBECONFIG", kubeconfig.toString()));
          tenantPods.add(new Pod(name, host, jvm, false));
        }
        for (int i = 0; i < pods; i++) {
          pg.execute("SELECT pg_create_logical_replication_slot('relay_solo_" + i + "', 'pgoutput')");
          soloPods.add(new Pod("solo-" + i, "127.0.0.1", context.startRuntime("relay-solo-" + i, pg, "relay_solo_" + i,
              PUBLICATION, List.of()), true));
        }
        Waits.until(() -> tenantPods.stream().allMatch(p -> ready(p)), Duration.ofSeconds(90),
            () -> "pods ready: " + tenantPods.stream().map(p -> p.name() + "=" + ready(p)).toList());
        Waits.until(() -> soloPods.stream().allMatch(p -> ready(p)), Duration.ofSeconds(90), () -> "runtimes ready");
        List<Pod> roles = tenantPods.stream().map(p -> new Pod(p.name(), p.host(), p.jvm(),
            p.jvm().call("stats", Duration.ofSeconds(10)).get("reads_slot").asBoolean())).toList();
        tenantPods.clear();
        tenantPods.addAll(roles);
        counts.put("tenant_leaders", roles.stream().filter(Pod::leader).count());
        if (roles.stream().filter(Pod::leader).count() != 1) {
          throw new IllegalStateException("expected one leader among the pods: " + roles);
        }
        Progress.step("tenant: " + pods + " pods ready, leader " + roles.stream().filter(Pod::leader).findFirst()
            .orElseThrow().name() + "; " + pods + " independent runtimes ready");
        List<String> soloSlots = new ArrayList<>();
        for (int i = 0; i < pods; i++) {
          soloSlots.add("relay_solo_" + i);
        }
        List<Window> tenantWindows = new ArrayList<>();
        List<Window> soloWindows = new ArrayList<>();
        int phase = 1;
        // Round 0, not recorded: every JVM compiles its hot paths before either configuration is measured.
        for (List<Pod> set : List.of(tenantPods, soloPods)) {
          window(generator, insert, pg, set, set == tenantPods ? List.of("relay_tenant") : soloSlots, perPod, rate,
              warmup, warmup, phase);
          phase += 2;
        }
        Progress.step("warm-up round done (not recorded)");
        for (int r = 0; r < rounds; r++) {
          for (int k = 0; k < 2; k++) {
            boolean tenantTurn = (r % 2 == 0) == (k == 0);
            Window w = window(generator, insert, pg, tenantTurn ? tenantPods : soloPods,
                tenantTurn ? List.of("relay_tenant") : soloSlots, perPod, rate, warmup, measure, phase);
            phase += 2;
            (tenantTurn ? tenantWindows : soloWindows).add(w);
            Progress.step(String.format("round %d, %s: %,d of %,d deliveries, p50 %.1f ms, p99 %.1f ms", r + 1,
                tenantTurn ? "tenant" : "independent", w.deliveredTotal(), w.expected(),
                w.merged(i -> true).getValueAtPercentile(50) / 1000.0,
                w.merged(i -> true).getValueAtPercentile(99) / 1000.0));
          }
        }
        tenant = Window.merge(tenantWindows);
        solo = Window.merge(soloWindows);
        notes.add("Per round (p50 / p99 ms of all clients, total CPU s per million deliveries), tenant: "
            + Window.summary(tenantWindows) + "; independent: " + Window.summary(soloWindows) + ".");
        soloPods.forEach(p -> p.jvm().close());
        burst = burst(pg, writer, tenantPods, burstRows);
        Progress.step(String.format("relay: %,.0f changes/s (leader decode %,.0f rows/s)", burst.relayRate(),
            burst.decodeRate()));
      } finally {
        tenantPods.forEach(p -> resume(p.jvm()));
        tenantPods.forEach(p -> p.jvm().close());
        soloPods.forEach(p -> p.jvm().close());
      }
    } finally {
      pg.stop();
    }

    String base = pods + " independent runtimes, " + pods + " slots";
    String setup = String.format("%d pods × %d subscribers, %d rows/s", pods, perPod, rate);
    int leader = indexOfLeader(tenantPods);
    Histogram soloAll = solo.merged(i -> true);
    metrics.addAll(Latencies.compare("clients on the leader (" + setup + ")", tenant.perPod()[leader], soloAll, base));
    metrics.addAll(Latencies.compare("clients on followers (" + setup + ")", tenant.merged(i -> i != leader), soloAll,
        base));
    Histogram tenantAll = tenant.merged(i -> true);
    metrics.add(Metric.of("all clients, p50", "ms", tenantAll.getValueAtPercentile(50) / 1000.0, base,
        soloAll.getValueAtPercentile(50) / 1000.0));
    metrics.add(Metric.of("all clients, p99", "ms", tenantAll.getValueAtPercentile(99) / 1000.0, base,
        soloAll.getValueAtPercentile(99) / 1000.0));
    metrics.add(Metric.of("deliveries per second, all clients", "deliveries/s",
        tenant.deliveredTotal() / tenant.seconds(), base, solo.deliveredTotal() / solo.seconds()));
    double soloPerProcess = perMillion(sum(solo.cpu()), solo.deliveredTotal());
    metrics.add(Metric.of("CPU per million deliveries, the leader (its own clients' deliveries)", "s",
        perMillion(tenant.cpu()[leader], tenant.delivered()[leader]), base + " (mean per process)", soloPerProcess));
    double followerCpu = 0;
    long followerDelivered = 0;
    for (int i = 0; i < tenantPods.size(); i++) {
      if (i != leader) {
        followerCpu += tenant.cpu()[i];
        followerDelivered += tenant.delivered()[i];
      }
    }
    metrics.add(Metric.of("CPU per million deliveries, a follower (mean)", "s",
        perMillion(followerCpu, followerDelivered), base + " (mean per process)", soloPerProcess));
    metrics.add(Metric.of("CPU per million deliveries, walsender(s) (" + tenant.walsenders() + " against "
            + solo.walsenders() + ")", "s", perMillion(tenant.walsenderCpu(), tenant.deliveredTotal()), base,
        perMillion(solo.walsenderCpu(), solo.deliveredTotal())));
    metrics.add(Metric.of("CPU per million deliveries, all runtime processes and walsenders", "s",
        perMillion(tenant.cpuTotal(), tenant.deliveredTotal()), base, perMillion(solo.cpuTotal(), solo.deliveredTotal())));
    double soloIdle = sum(solo.idleCores()) / solo.idleCores().length;
    metrics.add(Metric.of("idle CPU, the leader (clients connected, no changes)", "cores", tenant.idleCores()[leader],
        base + " (mean per process)", soloIdle));
    metrics.add(Metric.of("idle CPU, a follower (mean)", "cores", (sum(tenant.idleCores()) - tenant.idleCores()[leader])
        / (pods - 1), base + " (mean per process)", soloIdle));
    metrics.add(Metric.of("relay: changes/s each follower takes from the leader (catch-up of " + burstRows
        + " rows; baseline: the leader decoding the same burst)", "changes/s", burst.relayRate(),
        "the leader's decode of the burst", burst.decodeRate()));
    metrics.add(Metric.of("relay: leader CPU per million changes relayed to " + (pods - 1) + " followers", "s",
        perMillion(burst.leaderCpu(), burstRows), "", Double.NaN));
    metrics.add(Metric.of("relay: follower CPU per million changes received (mean)", "s",
        perMillion(burst.followerCpu() / (pods - 1), burstRows), "", Double.NaN));

    counts.put("subscribers", (long) perPod * pods);
    counts.put("tenant_rows", tenant.rows());
    counts.put("tenant_expected", tenant.expected());
    counts.put("tenant_delivered", tenant.deliveredTotal());
    counts.put("tenant_closed_early", tenant.closedEarly());
    counts.put("tenant_slow_clients_closed", tenant.slowClientsClosed());
    counts.put("tenant_walsenders", (long) tenant.walsenders());
    counts.put("solo_rows", solo.rows());
    counts.put("solo_expected", solo.expected());
    counts.put("solo_delivered", solo.deliveredTotal());
    counts.put("solo_closed_early", solo.closedEarly());
    counts.put("solo_walsenders", (long) solo.walsenders());
    counts.put("burst_rows", (long) burstRows);
    counts.put("burst_followers_done", (long) burst.followersDone());

    notes.add(String.format("Each configuration: %d subscribers in all (%d per process), a writer committing %d rows/s "
        + "one per transaction for %.0f s after a %.0f s warm-up, " + rounds + " rounds after a round that is not "
        + "recorded; both sets of processes run "
        + "side by side, idle while the other is measured (all " + (pods + 1) + " slots decode every row), windows alternating "
        + "(a b, b a, ...); latency = client receipt (Instant.now()) − the "
        + "commit timestamp in the WAL. CPU = utime + stime from /proc/<pid>/stat of each runtime JVM and each "
        + "walsender over the window from the first measured commit until the last measured delivery "
        + "(tenant %.1f s, independent %.1f s in all), divided by the deliveries to that process's own clients (walsenders "
        + "and totals: by all deliveries); it includes each process's fixed cost (the idle rows: CPU over "
        + IDLE.toSeconds() + " s after the window, clients connected, nothing committed). The load generator and "
        + "PostgreSQL's other processes are not counted.",
        perPod * pods, perPod, rate, measure.toNanos() / 1e9, warmup.toNanos() / 1e9, tenant.seconds(), solo.seconds()));
    notes.add(String.format("CPU seconds in the window, tenant: %s, walsender %.2f; independent: %s, walsenders %.2f.",
        cpuList(tenant.cpu(), tenantPods), tenant.walsenderCpu(), cpuList(solo.cpu(), null), solo.walsenderCpu()));
    notes.add(String.format("Relay burst: %,d rows committed in transactions of 1,000 while the followers were stopped "
        + "(SIGSTOP); the leader had decoded them (into its fan-out and relay backlog) %.0f ms after the first insert; "
        + "then the followers were resumed (SIGCONT) and had dispatched all of them %s ms later (each follower: "
        + "%s ms). The clients were closed before the burst, so this is the relay and the followers' decode of it, "
        + "not fan-out.", burstRows, burst.decodeMillis(), Math.round(burst.catchUpMillis()), burst.perFollower()));
    return new ScenarioResult(name(), title(), o.used(), metrics, counts, notes, (System.nanoTime() - started) / 1e9);
  }

  /** Clients on every pod, a warm-up, then the measured window: latency per pod, deliveries, CPU. */
  private static Window window(LoadGenerator generator, PreparedStatement insert, TestPostgres pg, List<Pod> pods,
      List<String> slots, int perPod, int rate, Duration warmup, Duration measure, int warmPhase) throws Exception {
    int measuredPhase = warmPhase + 1;
    int n = pods.size();
    Recorder[] recorders = new Recorder[n];
    AtomicLong[] delivered = new AtomicLong[n];
    AtomicLong warmDelivered = new AtomicLong();
    List<LoadGenerator.Clients> groups = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        Recorder recorder = new Recorder(3);
        AtomicLong count = new AtomicLong();
        recorders[i] = recorder;
        delivered[i] = count;
        Pod pod = pods.get(i);
        groups.add(generator.connect(pod.host(), pod.jvm().port(), "/realtime/v1/websocket?vsn=2.0.0", perPod, JOIN,
            (client, content, nanos) -> {
              long received = Timestamps.nowMicros();
              long phase = Timestamps.longField(content, PHASE);
              if (phase == measuredPhase) {
                recorder.recordValue(Math.max(0, received - Timestamps.commitTimestampMicros(content)));
                count.incrementAndGet();
              } else if (phase == warmPhase) {
                warmDelivered.incrementAndGet();
              }
            }, Duration.ofMinutes(2)));
      }
      long warmRows = PacedWriter.write(insert, warmPhase, rate, warmup);
      Waits.untilDoneOrQuiet(() -> warmDelivered.get() >= warmRows * perPod * n, warmDelivered::get,
          Duration.ofSeconds(10), Duration.ofSeconds(60));
      List<Long> walsenders = walsenderPids(pg, slots);
      double[] cpu0 = new double[n];
      for (int i = 0; i < n; i++) {
        cpu0[i] = ProcessCpu.seconds(pods.get(i).jvm().pid());
      }
      double wal0 = walsenders.stream().mapToDouble(ProcessCpu::seconds).sum();
      long t0 = System.nanoTime();
      long rows = PacedWriter.write(insert, measuredPhase, rate, measure);
      long expected = rows * perPod * n;
      Waits.untilDoneOrQuiet(() -> total(delivered) >= expected, () -> total(delivered), Duration.ofSeconds(10),
          Duration.ofSeconds(120));
      double seconds = (System.nanoTime() - t0) / 1e9;
      double[] cpu = new double[n];
      long[] counts = new long[n];
      Histogram[] histograms = new Histogram[n];
      for (int i = 0; i < n; i++) {
        cpu[i] = ProcessCpu.seconds(pods.get(i).jvm().pid()) - cpu0[i];
        counts[i] = delivered[i].get();
        histograms[i] = recorders[i].getIntervalHistogram();
      }
      double wal = walsenders.stream().mapToDouble(ProcessCpu::seconds).sum() - wal0;
      // What each process uses with its clients connected and nothing committed: the Lease, status reports,
      // heartbeats, the relay's keep-alives; a fixed cost that the per-delivery figures above include.
      double[] idle0 = new double[n];
      for (int i = 0; i < n; i++) {
        idle0[i] = ProcessCpu.seconds(pods.get(i).jvm().pid());
      }
      long i0 = System.nanoTime();
      Thread.sleep(IDLE.toMillis());
      double idleSeconds = (System.nanoTime() - i0) / 1e9;
      double[] idle = new double[n];
      for (int i = 0; i < n; i++) {
        idle[i] = (ProcessCpu.seconds(pods.get(i).jvm().pid()) - idle0[i]) / idleSeconds;
      }
      long closedEarly = groups.stream().mapToLong(LoadGenerator.Clients::closedEarly).sum();
      long slow = 0;
      for (Pod pod : pods) {
        slow += pod.jvm().call("stats", Duration.ofSeconds(10)).get("slow_clients_closed").asLong();
      }
      return new Window(histograms, counts, cpu, wal, walsenders.size(), rows, expected, seconds, closedEarly, slow,
          idle);
    } finally {
      groups.forEach(LoadGenerator.Clients::close);
    }
  }

  /** The relay alone, at saturation: see the class comment. */
  private record Burst(double decodeMillis, double catchUpMillis, String perFollower, int followersDone,
      double leaderCpu, double followerCpu, int rows) {

    double decodeRate() {
      return rows / (decodeMillis / 1000);
    }

    double relayRate() {
      return rows / (catchUpMillis / 1000);
    }
  }

  private static Burst burst(TestPostgres pg, Connection writer, List<Pod> pods, int rows) throws Exception {
    Pod leader = pods.get(indexOfLeader(pods));
    List<Pod> followers = pods.stream().filter(p -> !p.leader()).toList();
    followers.forEach(p -> signal(p.jvm(), "STOP"));
    long t0 = System.nanoTime();
    try (Statement statement = writer.createStatement()) {
      for (int done = 0; done < rows; done += 1000) {
        statement.execute("INSERT INTO " + TABLE + " (phase, body) SELECT 0, '" + BODY + "' FROM generate_series(1, "
            + Math.min(1000, rows - done) + ")");
      }
      statement.execute("SELECT pg_logical_emit_message(true, 'bench', 'relay-burst')");
    }
    long decoded = leader.jvm().call("marker relay-burst 120", Duration.ofSeconds(130)).get("nanos").asLong();
    // The leader's decode is done; the backlog holds the burst. Only the relay and the followers work from here.
    Thread.sleep(200);
    double leaderCpu0 = ProcessCpu.seconds(leader.jvm().pid());
    double[] followerCpu0 = followers.stream().mapToDouble(p -> ProcessCpu.seconds(p.jvm().pid())).toArray();
    long resumed = System.nanoTime();
    followers.forEach(p -> signal(p.jvm(), "CONT"));
    List<String> each = new ArrayList<>();
    long last = resumed;
    int done = 0;
    for (Pod follower : followers) {
      try {
        long at = follower.jvm().call("marker relay-burst 120", Duration.ofSeconds(130)).get("nanos").asLong();
        each.add(Long.toString(Math.round((at - resumed) / 1e6)));
        last = Math.max(last, at);
        done++;
      } catch (IllegalStateException e) {
        each.add("not within 120 s");
        last = Long.MAX_VALUE;
      }
    }
    double leaderCpu = ProcessCpu.seconds(leader.jvm().pid()) - leaderCpu0;
    double followerCpu = 0;
    for (int i = 0; i < followers.size(); i++) {
      followerCpu += ProcessCpu.seconds(followers.get(i).jvm().pid()) - followerCpu0[i];
    }
    return new Burst((decoded - t0) / 1e6, last == Long.MAX_VALUE ? Double.NaN : (last - resumed) / 1e6,
        String.join(", ", each), done, leaderCpu, followerCpu, rows);
  }

  private static int indexOfLeader(List<Pod> pods) {
    for (int i = 0; i < pods.size(); i++) {
      if (pods.get(i).leader()) {
        return i;
      }
    }
    throw new IllegalStateException("no leader among " + pods);
  }

  /** kill -STOP / -CONT of a runtime JVM this benchmark started. */
  private static void signal(ChildJvm jvm, String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(jvm.pid())).inheritIO().start();
      if (kill.waitFor() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + jvm.pid() + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void resume(ChildJvm jvm) {
    try {
      signal(jvm, "CONT");
    } catch (RuntimeException e) {
      // already gone
    }
  }

  private static boolean ready(Pod pod) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + pod.host() + ":" + pod.jvm().port() + "/readyz"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The walsenders streaming {@code slots} now. */
  private static List<Long> walsenderPids(TestPostgres pg, List<String> slots) throws SQLException {
    List<Long> pids = new ArrayList<>();
    try (Connection c = pg.connect(); PreparedStatement s = c.prepareStatement("SELECT r.pid FROM pg_stat_replication r"
        + " JOIN pg_replication_slots s ON s.active_pid = r.pid WHERE s.slot_name = ANY (?)")) {
      s.setArray(1, c.createArrayOf("text", slots.toArray()));
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          pids.add(r.getLong(1));
        }
      }
    }
    return pids;
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static long total(AtomicLong[] counters) {
    long sum = 0;
    for (AtomicLong c : counters) {
      sum += c.get();
    }
    return sum;
  }

  private static double sum(double[] values) {
    double s = 0;
    for (double v : values) {
      s += v;
    }
    return s;
  }

  private static double perMillion(double cpuSeconds, double deliveries) {
    return deliveries <= 0 ? Double.NaN : cpuSeconds / (deliveries / 1e6);
  }

  private static String cpuList(double[] cpu, List<Pod> pods) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < cpu.length; i++) {
      String who = pods == null ? "runtime " + i : pods.get(i).leader() ? "leader" : "follower";
      parts.add(String.format("%s %.2f", who, cpu[i]));
    }
    return String.join(", ", parts);
  }
}
