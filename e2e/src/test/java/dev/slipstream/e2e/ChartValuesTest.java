package dev.slipstream.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * values.yaml, values.schema.json, the chart's README and its example values files cannot drift
 * apart: every value is in the schema, listed in the README's "Values" table with its default, and set by at least
 * one of the files in {@code ci/} (which the chart tests render); the README lists nothing else.
 * A value is a key of values.yaml whose schema has no {@code properties} of its own (a free-form map
 * such as {@code operator.nodeSelector} is one value).
 */
class ChartValuesTest {

  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Path CHART = RenderedChart.CHART;
  private static final Pattern README_ROW = Pattern.compile("^\\| `([a-zA-Z0-9_.]+)` \\| (.*?) \\| .+\\|$");

  private final JsonNode schema = read(new ObjectMapper(), CHART.resolve("values.schema.json"));
  private final Map<String, JsonNode> values = leaves(read(YAML, CHART.resolve("values.yaml")));

  @Test
  void everyValueIsListedInTheReadmeWithItsDefaultAndNothingElseIs() throws IOException {
    Map<String, String> readme = new LinkedHashMap<>();
    boolean inValues = false;
    for (String line : Files.readAllLines(CHART.resolve("README.md"))) {
      if (line.startsWith("## ")) {
        inValues = line.equals("## Values");
      }
      Matcher row = README_ROW.matcher(line);
      if (inValues && row.matches()) {
        readme.put(row.group(1), row.group(2));
      }
    }
    assertThat(readme.keySet()).as("values in README.md").containsExactlyInAnyOrderElementsOf(values.keySet());
    values.forEach((name, value) -> {
      String cell = readme.get(name).trim();
      assertThat(cell).as("README default of %s: in backticks", name).startsWith("`").endsWith("`");
      JsonNode documented = read(YAML, cell.substring(1, cell.length() - 1));
      assertThat(documented).as("README default of %s", name).isEqualTo(value.isNull() ? YAML.nullNode() : value);
    });
  }

  @Test
  void everyExampleValuesFileSetsOnlyValuesAndTogetherTheySetEveryOne() throws IOException {
    Set<String> set = new LinkedHashSet<>();
    try (Stream<Path> files = Files.list(CHART.resolve("ci"))) {
      for (Path file : files.filter(f -> f.toString().endsWith("-values.yaml")).toList()) {
        Set<String> inFile = leaves(read(YAML, file)).keySet();
        assertThat(values.keySet()).as("values set by %s", file.getFileName()).containsAll(inFile);
        set.addAll(inFile);
      }
    }
    assertThat(set).as("values set by ci/*-values.yaml").containsExactlyInAnyOrderElementsOf(values.keySet());
  }

  @Test
  void everySchemaPropertyIsAValue() {
    Set<String> inSchema = new LinkedHashSet<>();
    schemaLeaves(schema, "", inSchema);
    inSchema.remove("global");
    assertThat(inSchema).containsExactlyInAnyOrderElementsOf(values.keySet());
  }

  /** The values of a values file by dotted name, walking the maps the schema gives properties to. */
  private Map<String, JsonNode> leaves(JsonNode root) {
    Map<String, JsonNode> leaves = new LinkedHashMap<>();
    walk(root, schema, "", leaves);
    return leaves;
  }

  private static void walk(JsonNode node, JsonNode schemaNode, String prefix, Map<String, JsonNode> leaves) {
    JsonNode properties = schemaNode.path("properties");
    if (properties.isMissingNode() || !node.isObject()) {
      leaves.put(prefix, node);
      return;
    }
    node.properties().forEach(entry -> {
      String name = prefix.isEmpty() ? entry.getKey() : prefix + "." + entry.getKey();
      assertThat(properties.has(entry.getKey())).as("%s is in values.schema.json", name).isTrue();
      walk(entry.getValue(), properties.get(entry.getKey()), name, leaves);
    });
  }

  private static void schemaLeaves(JsonNode schemaNode, String prefix, Set<String> leaves) {
    JsonNode properties = schemaNode.path("properties");
    if (properties.isMissingNode()) {
      leaves.add(prefix);
      return;
    }
    properties.properties().forEach(entry -> schemaLeaves(entry.getValue(),
        prefix.isEmpty() ? entry.getKey() : prefix + "." + entry.getKey(), leaves));
  }

  private static JsonNode read(ObjectMapper mapper, Path file) {
    try {
      return mapper.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file, e);
    }
  }

  private static JsonNode read(ObjectMapper mapper, String text) {
    try {
      return mapper.readTree(text);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read '" + text + "'", e);
    }
  }
}
