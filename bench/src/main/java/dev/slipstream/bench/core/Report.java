package dev.slipstream.bench.core;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a run's results: {@code bench/results/<scenario>.json} (replaced by each run of the
 * scenario) and the scenario's generated section of {@code docs/benchmarks.md}, between the
 * markers {@code <!-- bench:<scenario>:begin -->} and {@code <!-- bench:<scenario>:end -->}
 * (appended at the end of the file when the markers are missing). Everything outside the markers
 * is hand-written and left alone.
 */
public final class Report {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Path resultsDir;
  private final Path markdown;

  public Report(Path resultsDir, Path markdown) {
    this.resultsDir = resultsDir;
    this.markdown = markdown;
  }

  public Path write(ScenarioResult result, String command, Map<String, String> machine, Instant date)
      throws IOException {
    Files.createDirectories(resultsDir);
    Path json = resultsDir.resolve(result.scenario() + ".json");
    Files.writeString(json, JSON.writeValueAsString(toJson(result, command, machine, date)) + "\n");
    if (Files.exists(markdown)) {
      String doc = Files.readString(markdown, StandardCharsets.UTF_8);
      String begin = "<!-- bench:" + result.scenario() + ":begin -->";
      String end = "<!-- bench:" + result.scenario() + ":end -->";
      String section = begin + "\n" + markdown(result, command, machine, date, markdown.getParent()
          .relativize(json).toString()) + end;
      int b = doc.indexOf(begin);
      int e = doc.indexOf(end);
      doc = b >= 0 && e > b ? doc.substring(0, b) + section + doc.substring(e + end.length())
          : doc + "\n" + section + "\n";
      Files.writeString(markdown, doc, StandardCharsets.UTF_8);
    }
    return json;
  }

  static ObjectNode toJson(ScenarioResult r, String command, Map<String, String> machine, Instant date) {
    ObjectNode root = JSON.createObjectNode();
    root.put("scenario", r.scenario()).put("title", r.title())
        .put("date", date.truncatedTo(ChronoUnit.SECONDS).toString()).put("command", command)
        .put("seconds", Math.round(r.seconds() * 10) / 10.0);
    ObjectNode m = root.putObject("machine");
    machine.forEach(m::put);
    ObjectNode p = root.putObject("parameters");
    r.parameters().forEach(p::put);
    ArrayNode metrics = root.putArray("metrics");
    for (Metric metric : r.metrics()) {
      ObjectNode o = metrics.addObject().put("name", metric.name()).put("unit", metric.unit())
          .put("value", round(metric.value())).put("baseline_name", metric.baselineName());
      if (!Double.isNaN(metric.baseline())) {
        o.put("baseline", round(metric.baseline()));
      }
      if (!Double.isNaN(metric.ratio())) {
        o.put("ratio", Math.round(metric.ratio() * 1000) / 1000.0);
      }
      if (!metric.target().isEmpty()) {
        o.put("target", metric.target()).put("met", metric.met());
      }
    }
    ObjectNode counts = root.putObject("counts");
    r.counts().forEach(counts::put);
    ArrayNode notes = root.putArray("notes");
    r.notes().forEach(notes::add);
    return root;
  }

  static String markdown(ScenarioResult r, String command, Map<String, String> machine, Instant date, String json) {
    StringBuilder s = new StringBuilder();
    s.append("Measured ").append(date.truncatedTo(ChronoUnit.SECONDS)).append(" on ").append(Machine.oneLine(machine))
        .append(" in ").append(String.format(Locale.ROOT, "%.0f", r.seconds())).append(" s with\n\n```sh\n")
        .append(command).append("\n```\n\n");
    s.append("| figure | Slipstream | baseline | baseline is | ratio | target | met |\n");
    s.append("| --- | ---: | ---: | --- | ---: | --- | --- |\n");
    for (Metric m : r.metrics()) {
      s.append("| ").append(m.name()).append(" | ").append(format(m.value(), m.unit())).append(" | ")
          .append(Double.isNaN(m.baseline()) ? "—" : format(m.baseline(), m.unit())).append(" | ")
          .append(m.baselineName()).append(" | ")
          .append(ratio(m.ratio())).append(" | ")
          .append(m.target().isEmpty() ? "—" : m.target()).append(" | ")
          .append(m.met() == null ? "—" : m.met() ? "yes" : "**no**").append(" |\n");
    }
    s.append("\nParameters: ");
    r.parameters().forEach((k, v) -> s.append('`').append(k).append('=').append(v).append("` "));
    s.append("\nCounts: ");
    r.counts().forEach((k, v) -> s.append('`').append(k).append('=').append(v).append("` "));
    s.append("\nJSON: [").append(json).append("](").append(json).append(")\n");
    for (String note : r.notes()) {
      s.append("\n- ").append(note);
    }
    s.append("\n");
    return s.toString();
  }

  static String ratio(double ratio) {
    if (Double.isNaN(ratio) || Double.isInfinite(ratio)) {
      return "—";
    }
    return String.format(Locale.ROOT, ratio >= 100 ? "%,.0f×" : ratio >= 10 ? "%.1f×" : "%.2f×", ratio);
  }

  static String format(double value, String unit) {
    if (Double.isNaN(value)) {
      return "—";
    }
    String number;
    if (Math.abs(value) >= 1000) {
      number = String.format(Locale.ROOT, "%,.0f", value);
    } else if (Math.abs(value) >= 10) {
      number = String.format(Locale.ROOT, "%.1f", value);
    } else {
      number = String.format(Locale.ROOT, "%.3f", value);
    }
    return number + " " + unit;
  }

  private static double round(double v) {
    return Math.abs(v) >= 100 ? Math.round(v * 10) / 10.0 : Math.round(v * 10000) / 10000.0;
  }
}
