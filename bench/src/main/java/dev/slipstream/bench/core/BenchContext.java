package dev.slipstream.bench.core;

import dev.slipstream.bench.host.BarePipelineServer;
import dev.slipstream.bench.host.BaselineServer;
import dev.slipstream.bench.host.RuntimeHost;
import dev.slipstream.testing.postgres.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What scenarios share: where logs and recordings go, how the servers under test are started
 * (each in its own JVM), and the embedded PostgreSQL 17 each scenario starts afresh.
 *
 * @param workDir logs of the child JVMs and JFR recordings
 * @param runtimeJvmOptions JVM options of the runtime's JVM (heap size, a flight recording)
 */
public record BenchContext(Path workDir, List<String> runtimeJvmOptions, boolean jfr) {

  public BenchContext(Path workDir, List<String> runtimeJvmOptions) {
    this(workDir, runtimeJvmOptions, false);
  }

  /** Whether the server JVMs track native memory ({@code --serverJvm=-XX:NativeMemoryTracking=summary}). */
  public boolean nativeMemory() {
    return runtimeJvmOptions.stream().anyMatch(o -> o.startsWith("-XX:NativeMemoryTracking=") && !o.endsWith("=off"));
  }

  /** With {@code --jfr=true}: starts a flight recording in the runtime JVM of what follows. */
  public void profileStart(ChildJvm runtime, String name) {
    if (jfr) {
      runtime.call("jfr-start " + recording(name).toAbsolutePath(), Duration.ofSeconds(30));
    }
  }

  /** Ends the recording {@link #profileStart} began; it is written to {@link #recording}. */
  public void profileStop(ChildJvm runtime, String name) {
    if (jfr) {
      runtime.call("jfr-stop", Duration.ofSeconds(60));
      dev.slipstream.bench.core.Progress.step("flight recording: " + recording(name));
    }
  }

  public Path recording(String name) {
    return workDir.toAbsolutePath().resolve("runtime-" + name + ".jfr");
  }

  public static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  /** A fresh PostgreSQL 17 with wal_level=logical and synchronous_commit=on (see {@link TestPostgres}). */
  public TestPostgres startPostgres() {
    return TestPostgres.logical().with("max_connections", "100").start();
  }

  /** The runtime (through its public API) in its own JVM, streaming {@code slot}. */
  public ChildJvm startRuntime(String name, TestPostgres pg, String slot, String publication, List<String> extraJvm) {
    return startRuntime(name, pg, slot, publication, extraJvm, List.of());
  }

  /** Also with {@code key=value} arguments of {@link RuntimeHost} such as {@code clientBufferBytes=...}. */
  public ChildJvm startRuntime(String name, TestPostgres pg, String slot, String publication, List<String> extraJvm,
      List<String> extraArgs) {
    return startRuntime(name, pg, slot, publication, extraJvm, extraArgs, java.util.Map.of());
  }

  /** Also with environment variables for the runtime's JVM ({@code KUBECONFIG} for a pod of a tenant). */
  public ChildJvm startRuntime(String name, TestPostgres pg, String slot, String publication, List<String> extraJvm,
      List<String> extraArgs, java.util.Map<String, String> env) {
    List<String> jvm = new ArrayList<>(runtimeJvmOptions);
    jvm.addAll(extraJvm);
    List<String> args = new ArrayList<>(List.of(
        "host=" + pg.host(), "port=" + pg.port(), "database=" + pg.database(), "user=" + pg.user(),
        "password=" + pg.password(), "slot=" + slot, "publications=" + publication));
    args.addAll(extraArgs);
    ChildJvm child = ChildJvm.start(name, jvm, RuntimeHost.class.getName(), args, env, workDir.resolve(name + ".log"));
    child.awaitReady(START_TIMEOUT);
    return child;
  }

  /** The baseline Netty WebSocket server in its own JVM, with the runtime's heap settings. */
  public ChildJvm startBaselineServer(String name) {
    return startBaseline(name, BaselineServer.class, List.of());
  }

  /**
   * The bare pipeline ({@link BarePipelineServer}) in its own JVM, with the runtime's heap settings:
   * it streams {@code slot} and fans out the Inserts into {@code table}.
   */
  public ChildJvm startBarePipeline(String name, TestPostgres pg, String slot, String publication, String table) {
    return startBarePipeline(name, pg, slot, publication, table, "realtime:bench");
  }

  /** Also with the Phoenix topic its pushes name (the clients' channel). */
  public ChildJvm startBarePipeline(String name, TestPostgres pg, String slot, String publication, String table,
      String topic) {
    return startBaseline(name, BarePipelineServer.class, List.of("host=" + pg.host(), "port=" + pg.port(),
        "database=" + pg.database(), "user=" + pg.user(), "password=" + pg.password(), "slot=" + slot,
        "publication=" + publication, "table=" + table, "topic=" + topic));
  }

  private ChildJvm startBaseline(String name, Class<?> main, List<String> args) {
    ChildJvm child = ChildJvm.start(name, runtimeJvmOptions.stream().filter(o -> !o.startsWith("-XX:StartFlight"))
        .toList(), main.getName(), args, workDir.resolve(name + ".log"));
    child.awaitReady(START_TIMEOUT);
    return child;
  }
}
