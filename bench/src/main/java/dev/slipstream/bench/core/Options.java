package dev.slipstream.bench.core;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code --key=value} options of one run. Each scenario reads what it needs with a default; what it
 * read (given or defaulted) is recorded so the report shows the exact parameters.
 */
public final class Options {

  private final Map<String, String> given;
  private final Map<String, String> used = new TreeMap<>();

  public Options(Map<String, String> given) {
    this.given = new LinkedHashMap<>(given);
  }

  public static Options parse(Iterable<String> args) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new IllegalArgumentException("options look like --key=value, got '" + arg + "'");
      }
      int eq = arg.indexOf('=');
      values.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    return new Options(values);
  }

  public Options with(String key, String value) {
    Options copy = new Options(given);
    copy.given.put(key, value);
    return copy;
  }

  public String string(String key, String fallback) {
    String value = given.getOrDefault(key, fallback);
    used.put(key, value);
    return value;
  }

  public int integer(String key, int fallback) {
    try {
      return Integer.parseInt(string(key, Integer.toString(fallback)).replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + key + " must be an integer", e);
    }
  }

  public boolean flag(String key, boolean fallback) {
    return Boolean.parseBoolean(string(key, Boolean.toString(fallback)));
  }

  /** A list of integers such as {@code 100,1000}. */
  public int[] integers(String key, String fallback) {
    String[] parts = string(key, fallback).split(",");
    int[] values = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      values[i] = Integer.parseInt(parts[i].trim().replace("_", ""));
    }
    return values;
  }

  /** Seconds, as a plain number. */
  public Duration seconds(String key, double fallback) {
    double s = Double.parseDouble(string(key, Double.toString(fallback)));
    return Duration.ofNanos((long) (s * 1e9));
  }

  /** The parameters this scenario actually used. */
  public Map<String, String> used() {
    return new TreeMap<>(used);
  }

  public Map<String, String> given() {
    return new LinkedHashMap<>(given);
  }
}
