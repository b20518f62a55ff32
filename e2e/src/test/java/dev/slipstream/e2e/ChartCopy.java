package dev.slipstream.e2e;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A temporary copy of the chart whose values.yaml has a values file merged in, as {@code helm -f} merges it. */
final class ChartCopy {

  private static final YAMLMapper YAML = new YAMLMapper();

  private ChartCopy() {
  }

  static Path withValues(Path chart, Path valuesFile) throws IOException {
    Path copy = Files.createTempDirectory("slipstream-chart").resolve(chart.getFileName());
    try (Stream<Path> files = Files.walk(chart)) {
      for (Path source : files.toList()) {
        Files.copy(source, copy.resolve(chart.relativize(source).toString()));
      }
    }
    ObjectNode values = (ObjectNode) YAML.readTree(copy.resolve("values.yaml").toFile());
    merge(values, (ObjectNode) YAML.readTree(valuesFile.toFile()));
    YAML.writeValue(copy.resolve("values.yaml").toFile(), values);
    return copy;
  }

  /** Maps merge key by key; anything else (lists included) replaces, as Helm does. */
  private static void merge(ObjectNode into, ObjectNode from) {
    from.properties().forEach(entry -> {
      if (entry.getValue() instanceof ObjectNode child && into.get(entry.getKey()) instanceof ObjectNode existing) {
        merge(existing, child);
      } else {
        into.set(entry.getKey(), entry.getValue());
      }
    });
  }

  static void delete(Path copy) {
    try (Stream<Path> files = Files.walk(copy.getParent())) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
