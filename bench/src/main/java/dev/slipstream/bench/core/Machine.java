package dev.slipstream.bench.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the figures were measured on: cores, memory, CPU model, OS, JDK. */
public final class Machine {

  private Machine() {
  }

  public static Map<String, String> describe() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    m.put("memory", memory());
    m.put("cpu", cpuModel());
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    m.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
        + System.getProperty("java.runtime.version"));
    m.put("revision", revision());
    return m;
  }

  /** The commit measured, with "+ uncommitted changes" when the work tree differs from it. */
  private static String revision() {
    try {
      String head = run("git", "rev-parse", "--short", "HEAD");
      String dirty = run("git", "status", "--porcelain", "--untracked-files=no");
      return head.isEmpty() ? "unknown" : head + (dirty.isEmpty() ? "" : " + uncommitted changes");
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static String run(String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    try {
      return p.waitFor() == 0 ? out : "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  public static String oneLine(Map<String, String> machine) {
    return machine.get("cores") + " cores (" + machine.get("cpu") + "), " + machine.get("memory") + " memory, "
        + machine.get("os") + ", " + machine.get("jdk") + "; Slipstream " + machine.get("revision");
  }

  private static String memory() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          long kb = Long.parseLong(line.replaceAll("\\D", ""));
          return String.format("%.1f GiB", kb / 1024.0 / 1024.0);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: fall through
    }
    return "unknown";
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return System.getProperty("os.arch");
  }
}
